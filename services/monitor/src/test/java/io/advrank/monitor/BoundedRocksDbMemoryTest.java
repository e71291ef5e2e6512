package io.advrank.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.settings.SettingsSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/**
 * The monitor's Streams configuration bounds the memtables of all its RocksDB stores together:
 * several real RocksDB databases configured as the monitor configures its stores, each written well
 * past the budget, hold no more than the shared budget in memtables (with RocksDB's defaults each
 * would keep its whole 12 MiB in a 64 MiB memtable).
 */
class BoundedRocksDbMemoryTest {
  private static final long MIB = 1024 * 1024;

  @TempDir Path dir;

  @Test
  void keepsTheStoresMemtablesWithinTheSharedBudget() throws Exception {
    RocksDB.loadLibrary();
    Map<String, String> flags = new HashMap<>();
    flags.put(MonitorSettings.STATE_DIR.key(), dir.toString());
    flags.put("kafka.bootstrap.servers", "localhost:1");
    MonitorSettings settings =
        MonitorSettings.from(SettingsSource.load(MonitorSettings.KEYS, flags, Map.of(), null));
    Object setterClass =
        MonitorService.properties(settings).get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG);
    assertNotNull(setterClass, "the monitor sets no rocksdb.config.setter");
    RocksDBConfigSetter setter =
        (RocksDBConfigSetter) ((Class<?>) setterClass).getDeclaredConstructor().newInstance();

    int stores = 6;
    long perStore = 12 * MIB; // 72 MiB written in all, past the 32 MiB memtable budget
    List<RocksDB> dbs = new ArrayList<>();
    List<Options> options = new ArrayList<>();
    Random random = new Random(7);
    byte[] value = new byte[1024];
    try (WriteOptions noWal = new WriteOptions().setDisableWAL(true)) {
      for (int s = 0; s < stores; s++) {
        Options o = new Options().setCreateIfMissing(true);
        o.setTableFormatConfig(new BlockBasedTableConfig());
        setter.setConfig("store-" + s, o, Map.of());
        assertEquals(0, o.statsDumpPeriodSec(), "RocksDB's stats-dump timer left on");
        options.add(o);
        RocksDB db = RocksDB.open(o, dir.resolve("store-" + s).toString());
        dbs.add(db);
        for (long written = 0; written < perStore; written += value.length) {
          random.nextBytes(value);
          db.put(noWal, ("key-" + written).getBytes(), value);
        }
      }
      long memtables = memtableBytes(dbs);
      // Flushes run in the background: give them a few seconds to bring the figure down.
      for (int i = 0; i < 50 && memtables > BoundedRocksDbMemory.MEMTABLE_MIB * MIB; i++) {
        Thread.sleep(100);
        memtables = memtableBytes(dbs);
      }
      assertTrue(
          memtables <= BoundedRocksDbMemory.MEMTABLE_MIB * MIB,
          "memtables of " + stores + " stores: " + memtables / MIB + " MiB");
    } finally {
      for (int s = 0; s < dbs.size(); s++) {
        setter.close("store-" + s, options.get(s));
        dbs.get(s).close();
        options.get(s).close();
      }
    }
  }

  private static long memtableBytes(List<RocksDB> dbs) throws Exception {
    long sum = 0;
    for (RocksDB db : dbs) {
      sum += db.getLongProperty("rocksdb.cur-size-all-mem-tables");
    }
    return sum;
  }
}
