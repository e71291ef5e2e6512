package io.advrank.ranker;

/**
 * A delivered image that passed every check ({@link InboundImages}): what the ranker works with.
 *
 * @param eventId the event's id, echoed in its ranking
 * @param itemId catalog item id or query id; the Kafka key of what the ranker writes about it
 * @param label the class label when the event carried one, else -1
 * @param pixels the image in [0, 1], in the model's input shape
 */
record InboundImage(String eventId, String itemId, int label, float[] pixels) {}
