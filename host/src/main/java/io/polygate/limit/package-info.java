/**
 * Native rate limits and quotas ({@code docs/limits.md}).
 *
 * <p>Flow: at start the gateway builds one {@link io.polygate.limit.Limits} from the
 * {@code rate_limit} config and the {@link io.polygate.limit.LimitBackend}s {@code assembly.LimitBackends}
 * picks for the store: one {@link io.polygate.limit.RateLimiter} per
 * {@link io.polygate.config.Algorithm} (in memory, {@code limit.local}; or in Redis,
 * {@code limit.redis}, one Lua script per check, wrapped in a {@link io.polygate.limit.FallbackLimiter}
 * for when Redis is down; with Redis the token bucket is the {@link io.polygate.limit.DrlLimiter},
 * its rate split over the live nodes of {@code storage.Nodes}),
 * the {@link io.polygate.limit.QuotaCounter}, the policies and the counters. Each API's route gets
 * one {@link io.polygate.limit.LimitStep}, built once from its definition, which per request
 * works out the key's limits after its policies ({@link io.polygate.limit.KeyLimits}), plans the
 * checks of every scope in order (the API's, {@code ApiChecks}; the key's, {@code KeyChecks},
 * with smoothing and throttling), runs them, writes the headers ({@code RateLimitHeaders}), then
 * takes the quota ({@code QuotaCheck}); a throttled denial suspends the chain and re-checks on a
 * timer. Every counter id is built by {@link io.polygate.limit.CounterIds}; counters split per
 * caller are keyed by an {@link io.polygate.limit.Identifier}.
 *
 * <p>May use: {@code chain} and the base ({@code config}, {@code observability}, {@code storage},
 * {@code session}), never its subpackages {@code limit.local} and {@code limit.redis}, which
 * implement its contracts; used by {@code assembly} and {@code admin}.
 */
package io.polygate.limit;
