package io.advrank.cli;

import io.advrank.core.attack.Epsilons;
import picocli.CommandLine.ITypeConverter;

/** Reads {@code --eps} as a decimal ({@code 0.03}) or a fraction of 255 ({@code 8/255}). */
public final class EpsilonConverter implements ITypeConverter<Double> {
  @Override
  public Double convert(String value) {
    return Epsilons.parse(value);
  }
}
