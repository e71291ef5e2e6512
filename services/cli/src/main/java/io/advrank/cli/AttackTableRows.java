package io.advrank.cli;

import io.advrank.core.attack.AttackType;
import io.advrank.core.attack.Epsilons;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's table: rows ε (0 first: the clean rank), column groups CA+, CA-, QA+, QA- (the QA
 * columns are SP-QA±), each with w or m = sizes. Cells are mean rank percentiles in %.
 */
final class AttackTableRows {
  /** The column groups, in the paper's order; the QA columns are the SP variants. */
  static final AttackType[] GROUPS = {
    AttackType.CA_PLUS, AttackType.CA_MINUS, AttackType.SP_QA_PLUS, AttackType.SP_QA_MINUS
  };

  private final double[] epsilons;
  private final int[] sizes;
  private final double[][][] cells; // [row: 0 = clean, then epsilons][group][size]

  AttackTableRows(double[] epsilons, int[] sizes) {
    this.epsilons = epsilons;
    this.sizes = sizes;
    this.cells = new double[epsilons.length + 1][GROUPS.length][sizes.length];
  }

  void put(int epsIndex, int group, int sizeIndex, double before, double after) {
    cells[0][group][sizeIndex] = before; // targets depend on the seed only, so any ε gives it
    cells[epsIndex + 1][group][sizeIndex] = after;
  }

  /** Fixed-width text, one line per ε. */
  String text() {
    StringBuilder s = new StringBuilder();
    s.append(String.format("%-6s", ""));
    for (AttackType g : GROUPS) {
      String name = g.label().replace("SP-", "") + (g.semanticsPreserving() ? " (SP)" : "");
      s.append(String.format(" | %-" + (7 * sizes.length - 1) + "s", name));
    }
    s.append(String.format("%n%-6s", "eps"));
    for (AttackType g : GROUPS) {
      s.append(" |");
      for (int size : sizes) {
        s.append(
            String.format("%7s", (g.role() == AttackType.Role.CANDIDATE ? "w=" : "m=") + size));
      }
    }
    s.append('\n');
    for (int r = 0; r < cells.length; r++) {
      s.append(String.format("%-6s", r == 0 ? "0" : trim(epsilons[r - 1])));
      for (int g = 0; g < GROUPS.length; g++) {
        s.append(" |");
        for (int k = 0; k < sizes.length; k++) {
          s.append(String.format("%7.1f", cells[r][g][k]));
        }
      }
      s.append('\n');
    }
    return s.toString();
  }

  /** Rows as maps for JSON: {@code {"eps": 0.3, "CA+": {"1": 3.2, …}, …}}. */
  List<Map<String, Object>> json() {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int r = 0; r < cells.length; r++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("eps", r == 0 ? 0.0 : epsilons[r - 1]);
      for (int g = 0; g < GROUPS.length; g++) {
        Map<String, Double> bySize = new LinkedHashMap<>();
        for (int k = 0; k < sizes.length; k++) {
          bySize.put(Integer.toString(sizes[k]), cells[r][g][k]);
        }
        row.put(GROUPS[g].label(), bySize);
      }
      rows.add(row);
    }
    return rows;
  }

  /** The number of test items to attack: {@code limit}, or all when it is null. */
  static int checkLimit(Integer limit, int testSize) {
    if (limit == null) {
      return testSize;
    }
    if (limit < 1) {
      throw new IllegalArgumentException("--limit: must be in 1.." + testSize + ", was " + limit);
    }
    return Math.min(limit, testSize);
  }

  private static String trim(double eps) {
    return Epsilons.format(eps);
  }
}
