package io.polygate.sdk.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.polygate.sdk.json.Json;
import io.polygate.sdk.regex.BoundedRegex;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A bundle's {@code manifest.json}, in Tyk's format:
 *
 * <pre>
 * { "file_list": ["middleware.py"],
 *   "custom_middleware": { "driver": "python",
 *       "pre": [{"name": "..."}], "auth_check": {"name": "..."}, "post_key_auth": [...],
 *       "post": [...], "response": [...],
 *       "id_extractor": {"extract_from": "header", "extract_with": "value",
 *                        "extractor_config": {"header_name": "Key"}} },
 *   "checksum": "...", "signature": "..." }
 * </pre>
 *
 * {@link #parse} reports every problem at once, each with its field path; a manifest that
 * parses is structurally valid (whether the hooks exist in the code is checked when the bundle
 * is loaded).
 */
public record BundleManifest(List<String> fileList, CustomMiddleware customMiddleware, String checksum, String signature) {
    private static final ObjectMapper JSON = Json.MAPPER;

    public BundleManifest {
        fileList = List.copyOf(fileList);
    }

    /**
     * The files evaluated at load, in this order: the top-level files of {@code file_list} in the
     * driver's language, then each hook's {@code path} not listed already (Tyk's JSVM loads the
     * file a hook names, whatever {@code file_list} says). Nested files of {@code file_list} are
     * modules the evaluated ones import.
     */
    public List<String> sourceFiles() {
        String ext = "." + customMiddleware.driver().extension();
        Set<String> out = new LinkedHashSet<>();
        for (String f : fileList) if (!f.contains("/") && f.endsWith(ext)) out.add(f);
        for (HookRef h : customMiddleware.all()) if (h.path() != null && h.path().endsWith(ext)) out.add(h.path());
        return List.copyOf(out);
    }

    /** Hook paths {@code file_list} does not name: no checksum or signature covers them. */
    public List<String> hookPathsOutsideFileList() {
        Set<String> out = new LinkedHashSet<>();
        for (HookRef h : customMiddleware.all()) if (h.path() != null && !fileList.contains(h.path())) out.add(h.path());
        return List.copyOf(out);
    }

    private static boolean insideBundle(String file) {
        return !file.startsWith("/") && !file.contains("..") && !file.contains("\\");
    }

    /** Parses and validates; {@code bundle} names the bundle in error messages. */
    public static BundleManifest parse(String bundle, byte[] json) throws ManifestException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ManifestException(bundle, List.of("invalid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")")));
        } catch (java.io.IOException e) {
            throw new ManifestException(bundle, List.of("cannot be read: " + e.getMessage()));
        }
        if (root == null || !root.isObject()) throw new ManifestException(bundle, List.of("must be a JSON object"));
        List<String> errors = new ArrayList<>();

        List<String> files = new ArrayList<>();
        JsonNode fl = root.get("file_list");
        if (fl == null || fl.isNull()) errors.add("file_list: missing (list the bundle's source files, e.g. [\"middleware.py\"])");
        else if (!fl.isArray()) errors.add("file_list: must be a list of file names");
        else for (int i = 0; i < fl.size(); i++) {
            JsonNode f = fl.get(i);
            if (!f.isTextual() || f.asText().isBlank()) errors.add("file_list[" + i + "]: must be a file name");
            else if (!insideBundle(f.asText()))
                errors.add("file_list[" + i + "]: \"" + f.asText() + "\" must be a relative path inside the bundle");
            else files.add(f.asText());
        }

        CustomMiddleware cm = null;
        JsonNode c = root.get("custom_middleware");
        if (c == null || !c.isObject()) errors.add("custom_middleware: missing (an object with driver and hooks)");
        else cm = middleware(c, errors);

        String checksum = text(root, "checksum");
        String signature = text(root, "signature");
        if (!errors.isEmpty()) throw new ManifestException(bundle, errors);
        return new BundleManifest(files, cm, checksum, signature);
    }

    private static CustomMiddleware middleware(JsonNode c, List<String> errors) {
        String driverText = text(c, "driver");
        Driver driver = Driver.parse(driverText);
        if (driverText == null) errors.add("custom_middleware.driver: missing (python or js)");
        else if (driver == null) errors.add("custom_middleware.driver: \"" + driverText + "\" is not supported (python, js; otto, goja and javascript mean js)");
        List<HookRef> pre = hooks(c, HookType.PRE, errors);
        List<HookRef> postKeyAuth = hooks(c, HookType.POST_KEY_AUTH, errors);
        List<HookRef> post = hooks(c, HookType.POST, errors);
        List<HookRef> response = hooks(c, HookType.RESPONSE, errors);
        HookRef auth = null;
        JsonNode a = c.get("auth_check");
        if (a != null && !a.isNull()) {
            if (!a.isObject()) errors.add("custom_middleware.auth_check: must be an object {\"name\": ...}");
            else if (a.has("name") && !(a.get("name").asText().isEmpty())) auth = hook(a, HookType.AUTH_CHECK, "custom_middleware.auth_check", errors);
        }
        IdExtractorSpec id = null;
        JsonNode x = c.get("id_extractor");
        if (x != null && x.isObject() && x.size() > 0 && !text(x, "extract_from", "").isEmpty()) id = extractor(x, errors);
        if (id != null && auth == null) errors.add("custom_middleware.id_extractor: needs an auth_check hook (the extracted id caches the session it builds)");
        return new CustomMiddleware(driver, pre, auth, postKeyAuth, post, response, id);
    }

    private static List<HookRef> hooks(JsonNode c, HookType type, List<String> errors) {
        List<HookRef> out = new ArrayList<>();
        JsonNode list = c.get(type.field());
        if (list == null || list.isNull()) return out;
        String path = "custom_middleware." + type.field();
        if (!list.isArray()) {
            errors.add(path + ": must be a list of {\"name\": ...}");
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            HookRef h = hook(list.get(i), type, path + "[" + i + "]", errors);
            if (h != null) out.add(h);
        }
        return out;
    }

    private static HookRef hook(JsonNode h, HookType type, String path, List<String> errors) {
        if (!h.isObject()) {
            errors.add(path + ": must be an object {\"name\": ...}");
            return null;
        }
        String name = text(h, "name");
        if (name == null || name.isBlank()) {
            errors.add(path + ".name: missing");
            return null;
        }
        String file = text(h, "path");
        if (file != null && !file.isBlank() && !insideBundle(file)) {
            errors.add(path + ".path: \"" + file + "\" must be a relative path inside the bundle");
            return null;
        }
        return new HookRef(type, name, file == null || file.isBlank() ? null : file, h.path("require_session").asBoolean(false));
    }

    private static IdExtractorSpec extractor(JsonNode x, List<String> errors) {
        String p = "custom_middleware.id_extractor";
        IdExtractorSpec.From from = switch (text(x, "extract_from", "").toLowerCase(Locale.ROOT)) {
            case "header" -> IdExtractorSpec.From.HEADER;
            case "form" -> IdExtractorSpec.From.FORM;
            case "querystring", "query" -> IdExtractorSpec.From.QUERYSTRING;
            case "body" -> IdExtractorSpec.From.BODY;
            default -> null;
        };
        if (from == null) errors.add(p + ".extract_from: \"" + text(x, "extract_from", "") + "\" is not one of header, form, querystring, body");
        String withText = text(x, "extract_with", "value").toLowerCase(Locale.ROOT);
        IdExtractorSpec.With with = switch (withText) {
            case "value", "" -> IdExtractorSpec.With.VALUE;
            case "regex" -> IdExtractorSpec.With.REGEX;
            case "xpath" -> IdExtractorSpec.With.XPATH;
            default -> null;
        };
        if (with == null) errors.add(p + ".extract_with: \"" + withText + "\" is not one of value, regex, xpath");
        JsonNode cfg = x.path("extractor_config");
        String name = null;
        if (from == IdExtractorSpec.From.HEADER) {
            name = text(cfg, "header_name");
            if (name == null || name.isBlank()) errors.add(p + ".extractor_config.header_name: missing (e.g. \"Authorization\")");
        } else if (from == IdExtractorSpec.From.FORM || from == IdExtractorSpec.From.QUERYSTRING) {
            name = text(cfg, "param_name");
            if (name == null || name.isBlank()) errors.add(p + ".extractor_config.param_name: missing (e.g. \"user\")");
        }
        Pattern regex = null;
        int index = cfg.path("regex_match_index").asInt(0);
        if (with == IdExtractorSpec.With.REGEX) {
            String re = text(cfg, "regex_expression");
            if (re == null || re.isEmpty()) errors.add(p + ".extractor_config.regex_expression: missing");
            else try {
                // RE2/J: linear in the input, so no pattern can backtrack on 1 MiB of request data; bounded in size too
                regex = BoundedRegex.compile(re);
                if (index < 0 || index > regex.groupCount())
                    errors.add(p + ".extractor_config.regex_match_index: " + index + " but the expression has " + regex.groupCount() + " groups");
            } catch (BoundedRegex.TooLarge e) {
                errors.add(p + ".extractor_config.regex_expression: " + e.getDescription() + ": `" + e.getPattern() + "`");
            } catch (PatternSyntaxException e) {
                errors.add(p + ".extractor_config.regex_expression: not a valid RE2 regular expression (no backreferences or lookaround): "
                        + e.getDescription() + ": `" + e.getPattern() + "`");
            }
        }
        String xpath = null;
        if (with == IdExtractorSpec.With.XPATH) {
            xpath = text(cfg, "xpath_expression");
            if (xpath == null || xpath.isBlank()) errors.add(p + ".extractor_config.xpath_expression: missing (e.g. \"//user/@id\")");
            else try {
                javax.xml.xpath.XPathFactory.newInstance().newXPath().compile(xpath);
            } catch (javax.xml.xpath.XPathExpressionException e) {
                errors.add(p + ".extractor_config.xpath_expression: not a valid XPath expression: \"" + xpath + "\"");
            }
        }
        if (from == null || with == null) return null;
        return new IdExtractorSpec(from, with, name, regex, index, xpath);
    }

    private static String text(JsonNode n, String field) { return text(n, field, null); }

    private static String text(JsonNode n, String field, String dflt) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() ? dflt : v.asText();
    }

}
