/**
 * Regular expressions that users supply (a manifest's {@code id_extractor}, the gateway's limit
 * paths): RE2/J, whose matching time is linear in the input, with the size of the compiled
 * program bounded as well, since RE2/J's time per input character grows with it.
 */
package io.polygate.sdk.regex;
