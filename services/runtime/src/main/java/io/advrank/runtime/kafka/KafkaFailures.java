package io.advrank.runtime.kafka;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;

/**
 * One-line descriptions of Kafka client failures that a user fixes in the settings: a refused login
 * or an untrusted certificate say which setting to look at, instead of a nested stack; and how a
 * batch whose transaction a failure aborted is logged.
 */
public final class KafkaFailures {
  private KafkaFailures() {}

  /** What went wrong in {@code failure}, naming the setting to fix when it is a security one. */
  public static String describe(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SaslAuthenticationException) {
        return "Kafka refused the SASL login: wrong kafka.sasl.username or kafka.sasl.password, or"
            + " the broker has no credentials for the user under kafka.sasl.mechanism ("
            + firstLine(t)
            + ")";
      }
      if (t instanceof SslAuthenticationException) {
        return "TLS handshake with Kafka failed: " + tlsCause(t);
      }
      if (t instanceof AuthenticationException) {
        return "Kafka authentication failed: " + firstLine(t);
      }
    }
    return failure.toString();
  }

  /**
   * Logs a batch's transaction aborted by {@code failure} before its records are rewound: a wakeup
   * is a stop, not a fault (info); anything else a warning. Either way the records are read again
   * by whoever comes next.
   */
  public static void logAborted(Logger log, int records, KafkaException failure) {
    if (failure instanceof WakeupException) {
      log.info("stopping: batch of {} aborted and rewound", records);
    } else {
      log.warn("batch of {} aborted and rewound: {}", records, failure.toString());
    }
  }

  private static String tlsCause(Throwable ssl) {
    for (Throwable t = ssl; t != null; t = t.getCause()) {
      if (t instanceof CertPathBuilderException) {
        return "the broker's certificate is not signed by a CA in kafka.ssl.truststore.location"
            + " (or the JVM's CAs when it is not set)";
      }
      if (t instanceof CertificateException && String.valueOf(t.getMessage()).contains("name")) {
        return "the broker's certificate does not name the host in kafka.bootstrap.servers ("
            + firstLine(t)
            + "); see kafka.ssl.verify.hostname";
      }
    }
    Throwable root = ssl;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String message = firstLine(root);
    if (message.contains("certificate_required") || message.contains("bad_certificate")) {
      // The broker's alert when mTLS needs a client certificate that is missing or untrusted.
      return "the broker refused this client's certificate or its absence"
          + " (kafka.ssl.keystore.location): "
          + message;
    }
    return message;
  }

  private static String firstLine(Throwable t) {
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.lines().findFirst().orElse("").strip();
  }
}
