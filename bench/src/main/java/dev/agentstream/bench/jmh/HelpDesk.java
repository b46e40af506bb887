package dev.agentstream.bench.jmh;

import dev.agentstream.udfs.context.ContextSlot;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.organism.OrganismLoader;
import dev.agentstream.udfs.registry.RegistrySettings;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.TurnBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The inputs every micro-benchmark shares: the example organism (examples/organism.yaml, a
 * concierge agent calling a summarizer agent and an archivist handler), a registry key, and
 * payloads of English text at the sizes the benchmarks ask for. Everything is deterministic, so two
 * runs measure the same bytes.
 */
final class HelpDesk {

    static final String THREAD = "6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42";
    static final String TENANT = "default";
    static final String CUSTOMER = "customer-portal";
    static final String CONCIERGE = "concierge";
    static final String SUMMARIZER = "summarizer";
    static final String MODEL = "gpt-4o-mini";
    static final long NOW = 1_767_225_600_000L;

    /** The example organism, as examples/organism.yaml has it (its comments left out). */
    static final String ORGANISM_YAML =
            String.join(
                    "\n",
                    "organism:",
                    "  name: help-desk",
                    "llm:",
                    "  strategy: failover",
                    "  retries: 3",
                    "  backends:",
                    "    - provider: openai",
                    "      api_key_env: OPENAI_API_KEY",
                    "      model: gpt-4o-mini",
                    "      rate_limit_tpm: 60000",
                    "      timeout: 30",
                    "listeners:",
                    "  - name: concierge",
                    "    payload_class: desk.Request",
                    "    description: Front desk agent - briefs the summarizer on a customer's"
                            + " request, then answers",
                    "    agent: true",
                    "    peers: [summarizer, archivist]",
                    "    prompt: |",
                    "      You work the front desk of a small software company.",
                    "      Read the customer's request and write a short, factual brief of it"
                            + " for the summarizer.",
                    "      When the summary comes back, answer the customer in two sentences.",
                    "  - name: summarizer",
                    "    payload_class: desk.Brief",
                    "    description: Turns a brief into a one-line summary",
                    "    agent: true",
                    "    prompt: |",
                    "      You condense briefs into a single line of plain text.",
                    "  - name: archivist",
                    "    payload_class: desk.Summary",
                    "    handler: desk.archive.store_summary",
                    "    description: Files summaries in the archive",
                    "    agent: false",
                    "");

    /** Sentences of a help-desk conversation; text is cut from them in turn. */
    private static final String[] SENTENCES = {
        "My invoice for March shows two charges for the same licence.",
        "Could you refund one of them to the card I paid with?",
        "The second charge appeared on the fourth, two days after the renewal.",
        "We checked the billing log and found the duplicate payment.",
        "The refund was issued today and should reach the card within five working days.",
        "Please keep the receipt number in case the bank asks for it.",
        "The customer also wants to know whether the price changes next year.",
        "Our plans stay at the same price until the end of the current contract.",
        "She asked for the invoice to be sent again with the corrected total.",
        "The summary was filed in the archive under the customer's account.",
    };

    private static RegistrySettings registry;

    private HelpDesk() {}

    static Organism organism() {
        return OrganismLoader.parse(ORGANISM_YAML, "bench");
    }

    /** Registry settings whose key is in a file of its own, written once per JVM. */
    static synchronized RegistrySettings registry() {
        if (registry == null) {
            try {
                Path key = Files.createTempFile("agentstream-bench-registry", ".key");
                key.toFile().deleteOnExit();
                Files.writeString(key, "bench-registry-key-0123456789abcdef-0123456789");
                registry = new RegistrySettings(key.toString(), null, 8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return registry;
    }

    /** About {@code chars} characters of whole sentences, starting at sentence {@code seed}. */
    static String prose(int chars, int seed) {
        StringBuilder text = new StringBuilder(chars + 100);
        for (int i = seed; text.length() < chars; i++) {
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(SENTENCES[Math.floorMod(i, SENTENCES.length)]);
        }
        return text.toString();
    }

    /** A customer's request for the concierge with about {@code textChars} of text. */
    static String request(int textChars, int seed) {
        return "<Request><customer>Ada</customer><text>"
                + prose(textChars, seed)
                + "</text></Request>";
    }

    /** The concierge's answer to the customer with about {@code textChars} of text. */
    static String answer(int textChars, int seed) {
        return "<Answer><text>" + prose(textChars, seed) + "</text></Answer>";
    }

    /**
     * A payload of about {@code bytes} under {@code root}, carrying a long attachment: numbered
     * sections of short paragraphs, many elements as well as much text.
     */
    static String largePayload(String root, int bytes) {
        StringBuilder xml = new StringBuilder(bytes + 1024);
        xml.append('<')
                .append(root)
                .append("><customer>Ada</customer><text>")
                .append(prose(200, 0))
                .append("</text><attachment>");
        for (int section = 0; xml.length() < bytes - 200; section++) {
            xml.append("<section n=\"")
                    .append(section)
                    .append("\"><heading>")
                    .append(prose(40, section))
                    .append("</heading><para>")
                    .append(prose(500, section + 1))
                    .append("</para></section>");
        }
        return xml.append("</attachment></").append(root).append('>').toString();
    }

    /** The envelope document of {@code payload} from the customer to the concierge. */
    static String customerEnvelope(String payload) {
        return "<message xmlns=\""
                + Envelope.NAMESPACE
                + "\"><meta><from>"
                + CUSTOMER
                + "</from><to>"
                + CONCIERGE
                + "</to><thread>"
                + THREAD
                + "</thread></meta>"
                + payload
                + "</message>";
    }

    /**
     * A thread's context of {@code count} slots, oldest first, with sequence numbers from 0 and
     * their tokens counted as the context stage counts them at append. The conversation cycles
     * through the concierge's inputs and outputs: a customer's request, the concierge's call to the
     * summarizer (its record), the summary that comes back, the concierge's answer.
     */
    static List<ContextSlot> thread(int count, TokenCounter counter) {
        List<ContextSlot> slots = new ArrayList<>(count);
        for (int seq = 0; seq < count; seq++) {
            ContextSlot slot = slot(seq);
            slot.tokens = counter.count(slot.payloadXml);
            slots.add(slot);
        }
        return slots;
    }

    /**
     * The history of a turn answering {@code input}: the other slots, newest first, while the
     * window accepts them, as {@code ThreadState.historyOf} reads them from keyed state.
     */
    static TurnBuilder.History history(List<ContextSlot> slots, ContextSlot input) {
        return keep -> {
            List<ContextSlot> out = new ArrayList<>();
            for (int i = slots.size() - 1; i >= 0; i--) {
                ContextSlot slot = slots.get(i);
                if (slot.seq == input.seq) {
                    continue;
                }
                if (!keep.test(slot)) {
                    break;
                }
                out.add(slot);
            }
            return out;
        };
    }

    private static ContextSlot slot(int seq) {
        String id = "agentstream.bus-0-" + seq;
        switch (seq % 4) {
            case 0:
                return new ContextSlot(
                        seq, CUSTOMER, CONCIERGE, "Request", request(400, seq), id, NOW);
            case 1:
                return new ContextSlot(
                        seq,
                        CONCIERGE,
                        SUMMARIZER,
                        "Brief",
                        "<Brief><text>" + prose(250, seq) + "</text></Brief>",
                        id,
                        NOW);
            case 2:
                return new ContextSlot(
                        seq,
                        SUMMARIZER,
                        CONCIERGE,
                        "Summary",
                        "<Summary>" + prose(120, seq) + "</Summary>",
                        id,
                        NOW);
            default:
                return new ContextSlot(
                        seq,
                        CONCIERGE,
                        CUSTOMER,
                        "Answer",
                        "<Answer><text>" + prose(300, seq) + "</text></Answer>",
                        id,
                        NOW);
        }
    }
}
