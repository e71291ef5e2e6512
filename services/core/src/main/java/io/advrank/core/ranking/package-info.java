/**
 * Retrieval over a gallery of embeddings: {@link io.advrank.core.ranking.GalleryIndex} answers
 * top-k queries by cosine distance ({@link io.advrank.core.ranking.TopK}), and {@link
 * io.advrank.core.ranking.RetrievalMetrics} computes Recall@1 and mean average precision on a
 * labelled test set.
 */
package io.advrank.core.ranking;
