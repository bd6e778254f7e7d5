package io.polygate.sdk.regex;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * Compiles a user's regular expression with RE2/J, refusing one whose program would be larger
 * than {@value #MAX_SIZE} steps. RE2/J matches in time linear in the input, but each input
 * character may cost a step per instruction of the program, and counted repetition multiplies
 * the program: {@code (a{1000}){1000}} compiles to a million instructions and takes seconds on
 * 64 KiB of {@code a}. RE2 and Go refuse such patterns too (RE2: nested repetition over 1000).
 * The size is estimated from the pattern the way RE2 compiles it: a literal, class or
 * {@code .} is one step, a sequence or alternation the sum of its parts, {@code x{n,m}} the size
 * of {@code x} times {@code max(n, m)}. One instance walks one pattern, then is dropped.
 */
public final class BoundedRegex {
    /** The most program steps a pattern may compile to: generous for ids and paths ({@code [0-9a-f]{64}} is 64). */
    public static final int MAX_SIZE = 1000;

    /** A pattern refused for its size, not its syntax. */
    public static final class TooLarge extends PatternSyntaxException {
        TooLarge(String regex) {
            super("too large: it compiles to more than " + MAX_SIZE + " steps (counted repetition multiplies, e.g. (a{100}){100} is 10000)", regex);
        }
    }

    private final String regex;
    private int at;

    private BoundedRegex(String regex) { this.regex = regex; }

    /**
     * The compiled pattern.
     *
     * @throws PatternSyntaxException when RE2/J refuses the pattern; {@link TooLarge} when it is
     *         larger than {@value #MAX_SIZE} steps
     */
    public static Pattern compile(String regex) {
        // sized before compiling: RE2/J would build the whole oversized program first
        if (new BoundedRegex(regex).alternation() > MAX_SIZE) throw new TooLarge(regex);
        return Pattern.compile(regex);
    }

    // The walk below finds the structure of valid RE2 syntax and never fails on invalid syntax
    // (RE2/J then refuses it); every size saturates just above the limit.

    private char peek() { return at < regex.length() ? regex.charAt(at) : '\0'; }

    /** Moves past the next {@code token} (or to the end when there is none). */
    private void skipPast(String token) {
        int i = regex.indexOf(token, at);
        at = i < 0 ? regex.length() : i + token.length();
    }

    private long alternation() {
        long size = sequence();
        while (peek() == '|') {
            at++;
            size = cap(size + sequence() + 1);
        }
        return size;
    }

    private long sequence() {
        long size = 0;
        while (at < regex.length() && peek() != '|' && peek() != ')') size = cap(size + repeated(atom()));
        return size;
    }

    private long atom() {
        char c = regex.charAt(at++);
        switch (c) {
            case '(' -> {
                if (peek() == '?') {
                    at++;
                    if (peek() == '<' || regex.startsWith("P<", at)) skipPast(">");
                    else {
                        while (at < regex.length() && peek() != ':' && peek() != ')') at++;
                        if (peek() == ')') {
                            at++;
                            return 0; // flags only: (?i)
                        }
                        at++;
                    }
                }
                long inner = alternation();
                at++; // ')'
                return cap(inner + 2);
            }
            case '[' -> {
                if (peek() == '^') at++;
                if (peek() == ']') at++;
                while (at < regex.length() && peek() != ']') {
                    if (peek() == '\\') at += 2;
                    else if (regex.startsWith("[:", at)) skipPast(":]");
                    else at++;
                }
                at++;
                return 1;
            }
            case '\\' -> {
                char e = peek();
                at++;
                if (e == 'Q') {
                    int start = Math.min(at, regex.length());
                    skipPast("\\E");
                    return cap(at - start);
                }
                if ((e == 'p' || e == 'P' || e == 'x') && peek() == '{') skipPast("}");
                return 1;
            }
            default -> {
                return 1;
            }
        }
    }

    /** {@code size} with the quantifiers that follow it. */
    private long repeated(long size) {
        while (at < regex.length()) {
            char c = peek();
            if (c == '*' || c == '+' || c == '?') {
                at++;
                size = cap(size + 1);
            } else if (c == '{' && counted()) {
                int close = regex.indexOf('}', at);
                String[] bounds = regex.substring(at + 1, close).split(",", -1);
                long n = Math.max(count(bounds[0]), bounds.length > 1 ? count(bounds[1]) : 0);
                at = close + 1;
                size = cap(size * Math.max(n, 1));
            } else {
                return size;
            }
            if (peek() == '?') at++; // lazy
        }
        return size;
    }

    /** Whether the '{' at {@code at} starts {@code {n}}, {@code {n,}} or {@code {n,m}} (else it is a literal brace). */
    private boolean counted() {
        int close = regex.indexOf('}', at);
        return close > at && regex.substring(at + 1, close).matches("\\d+(,\\d*)?");
    }

    private static long count(String digits) {
        return digits.isEmpty() ? 0 : digits.length() > 6 ? MAX_SIZE + 1L : Long.parseLong(digits);
    }

    private static long cap(long size) { return Math.min(size, MAX_SIZE + 1L); }
}
