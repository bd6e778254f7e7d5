package io.polygate.sdk.manifest;

import com.google.re2j.Pattern;

/**
 * Where the identity of a request is read from before {@code auth_check}, so that the session
 * the hook built can be cached for that identity ({@code custom_middleware.id_extractor}).
 *
 * @param extractFrom  header, form, querystring or body
 * @param extractWith  value (the whole value), regex (one group of {@code regex}) or xpath (the
 *                     string value of {@code xpath} on the value read as XML)
 * @param name         the header name (header) or parameter name (form, querystring); null for body
 * @param regex        the compiled {@code regex_expression} when {@code extractWith} is regex: RE2/J,
 *                     matched in time linear in the input (no backreferences or lookaround)
 * @param regexMatchIndex which group of the match is the id (0 = the whole match)
 * @param xpath        the {@code xpath_expression} (checked to compile) when {@code extractWith} is xpath
 */
public record IdExtractorSpec(From extractFrom, With extractWith, String name, Pattern regex, int regexMatchIndex, String xpath) {
    public enum From { HEADER, FORM, QUERYSTRING, BODY }

    public enum With { VALUE, REGEX, XPATH }
}
