/**
 * Native rate limits and quotas ({@code docs/limits.md}).
 *
 * <p>Flow: at start the gateway builds one {@link io.polygate.limit.Limits} from the
 * {@code rate_limit} config and the store: one {@link io.polygate.limit.RateLimiter} per
 * {@link io.polygate.config.Algorithm} (in memory, {@code limit.local}; or in Redis,
 * {@code limit.redis}, one Lua script per check, wrapped in a {@link io.polygate.limit.FallbackLimiter}
 * for when Redis is down; with Redis the token bucket is the {@link io.polygate.limit.DrlLimiter}),
 * the {@link io.polygate.limit.QuotaCounter}, the policies and the counters. Each API's route gets
 * one {@link io.polygate.limit.LimitStep}, built once from its definition, which per request
 * works out the key's limits after its policies ({@link io.polygate.limit.KeyLimits}), resolves
 * counter ids ({@link io.polygate.limit.Identifier}), checks every scope in order, then the
 * quota, and writes the headers; a throttled denial suspends the chain and re-checks on a timer.
 *
 * <p>May use: {@code chain} and the base ({@code config}, {@code observability}, {@code storage},
 * {@code session}); used by {@code assembly} and {@code admin}.
 */
package io.polygate.limit;
