/**
 * Configuration as read and checked: the gateway config ({@link io.polygate.config.GatewayConfig},
 * {@link io.polygate.config.ConfigLoader}), API definitions in Polygate's and Tyk's classic shape
 * ({@link io.polygate.config.ApiDefinition}, {@link io.polygate.config.TykClassicFields}), limit
 * settings ({@link io.polygate.config.RateLimitConfig}, {@link io.polygate.config.Algorithm},
 * {@link io.polygate.config.IdentifierSyntax}) and how problems are named
 * ({@link io.polygate.config.ConfigErrors}).
 *
 * <p>Owns: the config contract of {@code docs/configuration.md}. May use: no other gateway
 * package (the bottom of the graph).
 */
package io.polygate.config;
