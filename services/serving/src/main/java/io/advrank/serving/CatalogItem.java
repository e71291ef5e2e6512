package io.advrank.serving;

import java.util.Objects;

/**
 * A catalog image that passed the service's checks, as a {@link CatalogMirror} keeps it.
 *
 * @param itemId the catalog item id (the record's key); a later image of the same id replaces it
 * @param eventId the id of the upload event this image came from
 * @param label the class label when the event carried one, else -1
 * @param pixels the image in [0, 1], in the served model's input shape; kept to re-embed the item
 *     under a new model version, so treat it as read-only
 */
public record CatalogItem(String itemId, String eventId, int label, float[] pixels) {
  public CatalogItem {
    Objects.requireNonNull(itemId, "itemId");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(pixels, "pixels");
  }
}
