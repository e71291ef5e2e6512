/**
 * The paper's ranking attacks and their evaluation (docs/method.md): candidate attacks CA± (raise
 * or lower a catalog item in the rankings of chosen queries), query attacks QA± and their
 * semantics-preserving form SP-QA± (hijack a shopper's query toward or away from chosen items), and
 * the embedding shift ES that the defenses train against.
 *
 * <p>{@link io.advrank.core.attack.RankingAttacker} runs batched projected gradient descent ({@code
 * Pgd}) on an {@link io.advrank.core.attack.AttackRequest} under an {@link
 * io.advrank.core.attack.AttackProfile} (ε, α, iterations); {@link
 * io.advrank.core.attack.TargetSampler} draws targets as the paper does; {@link
 * io.advrank.core.attack.AttackEvaluation} measures rank percentiles over a test set, the unit of
 * the paper's tables. Nothing here knows Kafka: the attack-worker calls it on streamed images.
 */
package io.advrank.core.attack;
