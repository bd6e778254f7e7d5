package io.polygate.sdk.bundle;

import java.util.Objects;

/**
 * A bundle was refused, or could not be read, built or verified. The message always names the
 * bundle, the file inside it when there is one, and the problem, e.g.
 * {@code bundle "auth.zip": file "../evil.py": entry escapes the bundle folder}. A key problem
 * names the key instead: {@code key "private.pem": is an EC key; bundles are signed with RSA keys}.
 *
 * <p>{@link #problem()} classifies the failure so callers (the admin API, the CLI) can choose a
 * status code or exit code without parsing the message. All messages are made here, in one place,
 * so tests can assert their exact text.
 */
public class BundleException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What kind of problem refused the bundle. */
    public enum Problem {
        /** The zip file is not a readable zip, or is corrupt (CRC or size mismatch, bad offsets). */
        CORRUPT_ZIP,
        /** The zip uses a feature bundles do not allow: encryption, zip64, multi-disk, an unknown method. */
        UNSUPPORTED_ZIP,
        /** An entry name escapes the bundle folder, is absolute, has a drive letter, a backslash or a control character. */
        UNSAFE_PATH,
        /** An entry is a symbolic link or another special file (device, fifo, socket). */
        LINK,
        /** Two entries have the same name (ignoring letter case), or a file and a folder share a name. */
        DUPLICATE_ENTRY,
        /** The zip, one file, or all files together are larger than {@link BundleLimits} allows, or there are too many entries. */
        TOO_LARGE,
        /** {@code manifest.json} is missing, is not a JSON object, or its {@code file_list} is malformed. */
        MANIFEST_INVALID,
        /** A file named in {@code file_list} is not in the bundle. */
        FILE_MISSING,
        /** The manifest's {@code checksum} does not match the files. */
        CHECKSUM_MISMATCH,
        /** A public key is configured, and the manifest has no signature. */
        SIGNATURE_MISSING,
        /** The signature is not valid base64 or does not verify against the configured public key. */
        SIGNATURE_INVALID,
        /** A PEM key could not be read or is not an RSA key. */
        KEY_INVALID,
        /** Reading or writing files failed. */
        IO
    }

    private final String bundle;
    private final String file;
    private final Problem problem;

    /**
     * @param bundle  the bundle's name (an upload name or a file name), never null
     * @param file    the file inside the bundle the problem is about, or null
     * @param problem the kind of problem
     * @param detail  what is wrong, in words a user can act on
     * @param cause   the underlying exception, or null
     */
    public BundleException(String bundle, String file, Problem problem, String detail, Throwable cause) {
        super(format(problem == Problem.KEY_INVALID ? "key " : "bundle ", bundle, file, Objects.requireNonNull(detail, "detail")), cause);
        this.bundle = Objects.requireNonNull(bundle, "bundle");
        this.file = file;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    public BundleException(String bundle, String file, Problem problem, String detail) {
        this(bundle, file, problem, detail, null);
    }

    /**
     * The bundle's name as given by the caller (upload name or file name); for
     * {@link Problem#KEY_INVALID}, the key's name (then the message starts with {@code key "..."}).
     */
    public String bundle() { return bundle; }

    /** The file inside the bundle the problem is about, or null when it is about the whole bundle. */
    public String file() { return file; }

    public Problem problem() { return problem; }

    private static String format(String label, String bundle, String file, String detail) {
        StringBuilder b = new StringBuilder(label).append(quote(bundle)).append(": ");
        if (file != null) b.append("file ").append(quote(file)).append(": ");
        return b.append(detail).toString();
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20 || c == 0x7f) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    // ---- messages, in one place ----

    static BundleException notAZip(String bundle, String why) {
        return new BundleException(bundle, null, Problem.CORRUPT_ZIP, "not a valid zip file (" + why + ")");
    }

    static BundleException corrupt(String bundle, String file, String why) {
        return new BundleException(bundle, file, Problem.CORRUPT_ZIP, "corrupt zip entry (" + why + ")");
    }

    static BundleException unsupported(String bundle, String file, String what) {
        return new BundleException(bundle, file, Problem.UNSUPPORTED_ZIP, what + " is not supported in bundles");
    }

    static BundleException unsafePath(String bundle, String file, String why) {
        return new BundleException(bundle, file, Problem.UNSAFE_PATH, why);
    }

    static BundleException link(String bundle, String file, String kind) {
        return new BundleException(bundle, file, Problem.LINK, "entry is a " + kind + "; bundles may only hold regular files and folders");
    }

    static BundleException duplicate(String bundle, String file, String other) {
        String detail = file.equals(other)
                ? "entry appears more than once in the zip"
                : "entry clashes with entry " + quote(other) + " (same name ignoring letter case, or a file and a folder of the same name)";
        return new BundleException(bundle, file, Problem.DUPLICATE_ENTRY, detail);
    }

    static BundleException zipTooLarge(String bundle, long size, long limit) {
        return new BundleException(bundle, null, Problem.TOO_LARGE,
                "zip is " + size + " bytes, over the limit of " + limit + " bytes (maxZipBytes)");
    }

    static BundleException tooManyEntries(String bundle, long count, int limit) {
        return new BundleException(bundle, null, Problem.TOO_LARGE,
                "zip has " + count + " entries, over the limit of " + limit + " (maxEntries)");
    }

    static BundleException fileTooLarge(String bundle, String file, long limit) {
        return new BundleException(bundle, file, Problem.TOO_LARGE,
                "file inflates to more than " + limit + " bytes (maxFileBytes)");
    }

    static BundleException totalTooLarge(String bundle, String file, long limit) {
        return new BundleException(bundle, file, Problem.TOO_LARGE,
                "files inflate to more than " + limit + " bytes in total (maxTotalBytes)");
    }

    static BundleException manifestInvalid(String bundle, String file, String why) {
        return new BundleException(bundle, file, Problem.MANIFEST_INVALID, why);
    }

    static BundleException fileMissing(String bundle, String file, String why) {
        return new BundleException(bundle, file, Problem.FILE_MISSING, why);
    }

    static BundleException checksumMismatch(String bundle, String declared, String actual) {
        return new BundleException(bundle, null, Problem.CHECKSUM_MISMATCH,
                "checksum mismatch: manifest says " + declared + ", files hash to " + actual
                        + " (a file in file_list was changed after the bundle was built)");
    }

    static BundleException signatureMissing(String bundle, String field, String why) {
        return new BundleException(bundle, "manifest.json", Problem.SIGNATURE_MISSING,
                "bundle is not signed (no " + field + "), " + why);
    }

    static BundleException signatureInvalid(String bundle, String field, String why) {
        return new BundleException(bundle, "manifest.json", Problem.SIGNATURE_INVALID, field + " " + why);
    }

    static BundleException keyInvalid(String keyName, String why, Throwable cause) {
        return new BundleException(keyName, null, Problem.KEY_INVALID, why, cause);
    }

    static BundleException changedDuringBuild(String bundle) {
        return new BundleException(bundle, null, Problem.IO, "a listed file changed while the bundle was being built; build again");
    }

    static BundleException io(String bundle, String file, String what, java.io.IOException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        return new BundleException(bundle, file, Problem.IO, what + " (" + why + ")", e);
    }
}
