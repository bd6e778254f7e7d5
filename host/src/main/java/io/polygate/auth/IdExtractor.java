package io.polygate.auth;

import com.google.re2j.Matcher;
import io.polygate.chain.Exchange;
import io.polygate.plugin.HookRequest;
import io.polygate.sdk.manifest.IdExtractorSpec;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpression;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Reads a request's identity as a bundle's {@code id_extractor} says: a header, a form field, a
 * query parameter or the body, whole, through a regular expression, or through an XPath
 * expression on the value read as XML (Tyk's {@code xpath} extractor; no DTDs or external
 * entities are read). The regex is RE2/J's, so matching takes time linear in the value. Thread-safe.
 */
public final class IdExtractor {
    private final IdExtractorSpec spec;
    /** The XML parser and compiled XPath of each thread (neither is thread-safe); null without xpath. */
    private final ThreadLocal<Xml> xml;

    public IdExtractor(IdExtractorSpec spec) {
        this.spec = spec;
        this.xml = spec.extractWith() == IdExtractorSpec.With.XPATH ? ThreadLocal.withInitial(() -> new Xml(spec.xpath())) : null;
    }

    /** Whether the id is read from the request body (a form field or the body whole), which may mean waiting for it. */
    public boolean readsBody() {
        return spec.extractFrom() == IdExtractorSpec.From.FORM || spec.extractFrom() == IdExtractorSpec.From.BODY;
    }

    /** The id, or null when the request has none (the auth hook then runs uncached). */
    public String extract(Exchange exchange) {
        String raw = switch (spec.extractFrom()) {
            case HEADER -> exchange.headers().get(spec.name());
            case QUERYSTRING -> HookRequest.params(exchange.query()).get(spec.name());
            case FORM -> HookRequest.params(new String(HookRequest.body(exchange), StandardCharsets.UTF_8)).get(spec.name());
            case BODY -> new String(HookRequest.body(exchange), StandardCharsets.UTF_8);
        };
        if (raw == null || raw.isEmpty()) return null;
        String id = switch (spec.extractWith()) {
            case VALUE -> raw;
            case REGEX -> {
                Matcher m = spec.regex().matcher(raw);
                yield m.find() ? m.group(spec.regexMatchIndex()) : null;
            }
            case XPATH -> xml.get().evaluate(raw);
        };
        return id == null || id.isEmpty() ? null : id;
    }

    /** One thread's XML parser (no DTDs, no external entities) and compiled expression. */
    private static final class Xml {
        /** Text that is not XML is no id: nothing printed, the parse just fails. */
        private static final org.xml.sax.ErrorHandler SILENT = new org.xml.sax.helpers.DefaultHandler();

        private final DocumentBuilder parser;
        private final XPathExpression expression;

        Xml(String xpath) {
            try {
                DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
                f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                f.setXIncludeAware(false);
                f.setExpandEntityReferences(false);
                parser = f.newDocumentBuilder();
                parser.setErrorHandler(SILENT);
                expression = XPathFactory.newInstance().newXPath().compile(xpath);
            } catch (ParserConfigurationException | XPathExpressionException e) {
                throw new IllegalStateException("id_extractor xpath: " + e.getMessage(), e);
            }
        }

        /** The expression's string value on {@code text}, or null when the text is not XML. */
        String evaluate(String text) {
            try {
                return (String) expression.evaluate(parser.parse(new InputSource(new StringReader(text))), XPathConstants.STRING);
            } catch (SAXException | java.io.IOException | XPathExpressionException e) {
                return null;
            }
        }
    }
}
