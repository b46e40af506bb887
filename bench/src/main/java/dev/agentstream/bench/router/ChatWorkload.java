package dev.agentstream.bench.router;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.Turn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one chat request every side sends: a concierge agent's turn as the job builds it (system
 * prompt with the agent's peers, then the customer's payload), as a {@link Turn} for the router and
 * as the same OpenAI JSON body for the bare client.
 */
final class ChatWorkload {

    static final String MODEL = "gpt-4o-mini";
    static final int MAX_TOKENS = 256;

    private static final String SYSTEM_PROMPT =
            "You work the front desk of a small software company.\n"
                    + "Read the customer's request and write a short, factual brief of it for the"
                    + " summarizer.\n"
                    + "When the summary comes back, answer the customer in two sentences.\n\n"
                    + "You are the agent \"concierge\" of the organism \"help-desk\". Answer with"
                    + " XML payload elements.\n"
                    + "Each element goes to the peer that accepts its root tag:\n"
                    + "- summarizer: Turns a brief into a one-line summary. Accepts <Brief>.\n"
                    + "- archivist: Files summaries in the archive. Accepts <Summary>.\n"
                    + "An element no peer accepts, or text alone, goes back to the sender.\n";

    private static final String INPUT =
            "<Request><customer>Ada</customer><text>My invoice for March shows two charges for"
                    + " the same licence. Could you refund one of them?</text></Request>";

    /** With their tokens, as the job's turn builder hands them to the router. */
    private final ChatMessage[] messages = {
        counted(ChatMessage.SYSTEM, SYSTEM_PROMPT), counted(ChatMessage.USER, INPUT)
    };

    private final byte[] body;
    private final AtomicLong next = new AtomicLong();

    ChatWorkload() {
        this.body = encode(messages);
    }

    private static ChatMessage counted(String role, String content) {
        return new ChatMessage(role, content, new TokenCounter().count(content));
    }

    /**
     * A new turn with the shared prompt and an input envelope id of its own (so each call has its
     * own idempotency key, as in the job).
     */
    Turn turn() {
        Turn t = new Turn();
        t.thread = "6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42";
        t.agent = "concierge";
        t.replyTo = "customer";
        t.inputEnvelopeId = "bench-0-" + next.incrementAndGet();
        t.model = MODEL;
        t.maxTokens = MAX_TOKENS;
        t.messages = messages;
        t.createdAt = System.currentTimeMillis();
        return t;
    }

    /** The request body of every turn: the fields the job's OpenAI client sends, in its order. */
    byte[] body() {
        return body;
    }

    private static byte[] encode(ChatMessage[] messages) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("model", MODEL);
        root.put("max_tokens", MAX_TOKENS);
        ArrayNode list = root.putArray("messages");
        for (ChatMessage m : messages) {
            list.addObject().put("role", m.role).put("content", m.content);
        }
        try {
            return json.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
