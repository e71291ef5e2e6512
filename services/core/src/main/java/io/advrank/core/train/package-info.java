/**
 * Triplet training of embedding models (docs/method.md): {@link
 * io.advrank.core.train.TripletTrainer} with {@link io.advrank.core.train.TrainSettings}, batches
 * of {@link io.advrank.core.train.Triplets} drawn per {@link
 * io.advrank.core.train.NegativeSampling}, and the hooks an adversarial defense plugs into ({@link
 * io.advrank.core.train.BatchAdversary}, {@link io.advrank.core.train.TripletAdversary}); progress
 * goes to a {@link io.advrank.core.train.TrainListener}.
 */
package io.advrank.core.train;
