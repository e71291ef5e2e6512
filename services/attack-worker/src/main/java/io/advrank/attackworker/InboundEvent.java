package io.advrank.attackworker;

import io.advrank.proto.v1.ImageEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * An input event that passed every check ({@link InboundEvents}).
 *
 * @param record the raw record, forwarded byte for byte when the event is not attacked
 * @param event the parsed event, the template of its adversarial variant
 * @param pixels the clean image in [0, 1], in the model's input shape
 * @param catalog whether it came from the catalog (else the queries)
 * @param receivedAtMs when the worker read it, for latency
 */
record InboundEvent(
    ConsumerRecord<byte[], byte[]> record,
    ImageEvent event,
    float[] pixels,
    boolean catalog,
    long receivedAtMs) {}
