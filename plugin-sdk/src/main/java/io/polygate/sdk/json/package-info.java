/**
 * The JSON mappers of the SDK and the gateway ({@link io.polygate.sdk.json.Json}): one family of
 * settings, so a document reads the same in every part. Uses Jackson only.
 */
package io.polygate.sdk.json;
