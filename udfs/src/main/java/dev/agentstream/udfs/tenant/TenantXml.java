package dev.agentstream.udfs.tenant;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.envelope.MetaElements;
import dev.agentstream.udfs.envelope.OwnElements;
import dev.agentstream.udfs.envelope.XmlFactories;
import org.codehaus.stax2.XMLInputFactory2;
import org.codehaus.stax2.XMLOutputFactory2;

import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import java.util.ArrayList;
import java.util.List;

/**
 * The identity meta extensions in AgentStream's namespace: a token an outside writer sends, and the
 * stamp the job puts on what it writes itself.
 *
 * <pre>{@code
 * <token xmlns="https://agentstream.dev/ns/v1">eyJhbGciOi...</token>
 * <tenant xmlns="https://agentstream.dev/ns/v1" sig="...">acme</tenant>
 * }</pre>
 *
 * <p>Only top-level meta extensions count: an element of that name nested in another extension, or
 * in another namespace, is nobody's credential. Not thread-safe: one per operator instance.
 */
public final class TenantXml {

    public static final String TOKEN = "token";
    public static final String STAMP = "tenant";

    private static final String NS = SystemPayloads.AGENTSTREAM_NS;

    /** A stamp as read: the tenant it names and its signature (null when it has none). */
    public record Stamp(String tenant, String sig) {}

    /** The tokens and stamps among an envelope's meta extensions, in order. */
    public record Credentials(List<String> tokens, List<Stamp> stamps) {}

    private final XMLInputFactory2 inputFactory;
    private final XMLOutputFactory2 outputFactory = XmlFactories.newOutputFactory();

    public TenantXml(EnvelopeLimits limits) {
        this.inputFactory = XmlFactories.newFragmentInputFactory(limits);
    }

    /**
     * The tokens and stamps among the meta extensions.
     *
     * @throws IllegalArgumentException when one of them holds elements instead of text, or the
     *     extensions cannot be read
     */
    public Credentials read(String metaExtensions) {
        List<String> tokens = new ArrayList<>();
        List<Stamp> stamps = new ArrayList<>();
        if (metaExtensions == null || !metaExtensions.contains(NS)) {
            return new Credentials(tokens, stamps);
        }
        try {
            MetaElements.walk(
                    inputFactory,
                    metaExtensions,
                    in -> {
                        if (isOurs(in, TOKEN)) {
                            tokens.add(in.getElementText().strip());
                            return MetaElements.Step.TAKEN;
                        }
                        if (isOurs(in, STAMP)) {
                            String sig = in.getAttributeValue(null, "sig");
                            stamps.add(new Stamp(in.getElementText().strip(), sig));
                            return MetaElements.Step.TAKEN;
                        }
                        return MetaElements.Step.PASS;
                    });
        } catch (XMLStreamException e) {
            // getElementText() refuses an element inside a token or stamp; never quote it.
            throw new IllegalArgumentException("a token or tenant stamp is not plain text");
        }
        return new Credentials(tokens, stamps);
    }

    /** The stamp of {@code tenant} with its signature, as a self-contained meta extension. */
    public String writeStamp(String tenant, String sig) {
        return OwnElements.text(outputFactory, STAMP, "sig", sig, tenant, "tenant stamp");
    }

    /** {@code <token xmlns="https://agentstream.dev/ns/v1">token</token>}, as a client sends it. */
    public String writeToken(String token) {
        return OwnElements.text(outputFactory, TOKEN, null, null, token, "token");
    }

    private static boolean isOurs(XMLStreamReader in, String localName) {
        return NS.equals(in.getNamespaceURI()) && localName.equals(in.getLocalName());
    }
}
