/**
 * Embedding models: {@link io.advrank.core.model.EmbeddingModel} opens a network (the paper's C2F1,
 * or a user's TorchScript module via {@link io.advrank.core.model.ModelImport}) from a directory
 * with a {@link io.advrank.core.model.ModelManifest}, embeds Java float arrays into L2-normalised
 * {@link io.advrank.core.model.Embeddings}, and gives {@code core}'s attacks and training the
 * gradients they need. {@link io.advrank.core.model.ReceivedModel} opens a version received as
 * bytes and checks it fits the served model (the hot-swap path).
 *
 * <p>NDArrays at core's package boundaries. Core's packages hand each other Java arrays and small
 * records ({@link io.advrank.core.model.Embeddings}, {@code AttackRequest}, {@code AttackResult},
 * {@code Triplets}, {@code ImageDataset}); {@code data}, {@code ranking} and {@code detection} take
 * and return none. Two crossings stay, both inside one gradient computation whose arrays must stay
 * on the model's device:
 *
 * <ul>
 *   <li>this package to {@code core.attack} and {@code core.train}: {@link
 *       io.advrank.core.model.EmbeddingModel#forward}, {@link
 *       io.advrank.core.model.EmbeddingModel#manager} (per-step sub-managers on the weights'
 *       device), {@link io.advrank.core.model.EmbeddingModel#parameters} (the optimiser and weight
 *       averaging update the weights in place), {@link io.advrank.core.model.GradientLane} and
 *       {@link io.advrank.core.model.Autograd}. PGD differentiates through the network at every
 *       step; float arrays there would copy each step's batch to the host and back (on a GPU a
 *       synchronisation too) in the attack's hot path.
 *   <li>{@code core.train}'s {@code BatchAdversary} and {@code TripletAdversary}, implemented in
 *       {@code core.attack} (ES, anti-collapse) and {@code core.defense} (ramped ES): adversarial
 *       training's inner attack runs its PGD on the batch the trainer already holds on the device,
 *       and the trainer differentiates through the result.
 * </ul>
 *
 * <p>Outside core, only {@code services/bench}'s {@code ModelBenchmark} uses the first, to time the
 * network alone.
 */
package io.advrank.core.model;
