/**
 * Embedding models: {@link io.advrank.core.model.EmbeddingModel} opens a network (the paper's C2F1,
 * or a user's TorchScript module via {@link io.advrank.core.model.ModelImport}) from a directory
 * with a {@link io.advrank.core.model.ModelManifest}, embeds Java float arrays into L2-normalised
 * {@link io.advrank.core.model.Embeddings}, and gives {@code core}'s attacks and training the
 * gradients they need. {@link io.advrank.core.model.ReceivedModel} opens a version received as
 * bytes and checks it fits the served model (the hot-swap path).
 */
package io.advrank.core.model;
