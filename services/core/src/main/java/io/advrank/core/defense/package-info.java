/**
 * Adversarial training against ranking attacks: {@link io.advrank.core.defense.EstDefense}
 * (embedding-shifted triplet, the paper's defense) and {@link io.advrank.core.defense.ActDefense}
 * (anti-collapse triplet), both {@link io.advrank.core.defense.Defense}s that harden a model with
 * {@link io.advrank.core.train.TripletTrainer} and an adversary of {@code core.attack}.
 */
package io.advrank.core.defense;
