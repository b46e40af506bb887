package dev.agentstream.bench.jmh;

import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.Turn;

/**
 * What the concierge's model answers, in the shapes the emit stage meets, and the turn it answers:
 * the customer's request on {@link HelpDesk#THREAD}.
 */
final class AgentReplies {

    static final String INPUT_ENVELOPE_ID = "agentstream.bus-0-41";
    static final String RESPONSE_MODEL = "gpt-4o-mini-2024-07-18";

    private AgentReplies() {}

    /** The model's text for {@code kind}: short, three-payloads or malformed. */
    static String text(String kind) {
        switch (kind) {
            case "short":
                return "```xml\n<Answer><text>" + HelpDesk.prose(90, 4) + "</text></Answer>\n```";
            case "three-payloads":
                return "I will brief the summarizer, file the summary and answer the customer.\n"
                        + "<Brief><customer>Ada</customer><text>"
                        + HelpDesk.prose(300, 0)
                        + "</text></Brief>\n<Summary><customer>Ada</customer><text>"
                        + HelpDesk.prose(150, 3)
                        + "</text></Summary>\n<Answer><text>"
                        + HelpDesk.prose(250, 4)
                        + "</text></Answer>";
            case "malformed":
                // Nothing parses: an element left open, a misspelt end tag, another left open.
                return "Here is what I will send.\n<Brief>"
                        + HelpDesk.prose(300, 0)
                        + "\n<Summary>"
                        + HelpDesk.prose(150, 3)
                        + "</Sumary>\n<Answer>"
                        + HelpDesk.prose(250, 4);
            default:
                throw new IllegalArgumentException("no reply kind " + kind);
        }
    }

    /** The provider's answer carrying {@code text}, as the router hands it to the call stage. */
    static LlmReply reply(String text) {
        return new LlmReply(text, 900, 160, RESPONSE_MODEL, "chatcmpl-bench", "stop", 0, 0, false);
    }

    /** The concierge's turn answering the customer's request, as the context stage built it. */
    static Turn turn(ChatMessage[] messages) {
        Turn turn = new Turn();
        turn.thread = HelpDesk.THREAD;
        turn.tenant = HelpDesk.TENANT;
        turn.agent = HelpDesk.CONCIERGE;
        turn.replyTo = HelpDesk.CUSTOMER;
        turn.chain = new String[] {HelpDesk.CUSTOMER, HelpDesk.CONCIERGE};
        turn.root = HelpDesk.THREAD;
        turn.inputRoot = "Request";
        turn.inputEnvelopeId = INPUT_ENVELOPE_ID;
        turn.model = HelpDesk.MODEL;
        turn.maxTokens = 1024;
        turn.messages = messages;
        turn.createdAt = HelpDesk.NOW;
        return turn;
    }
}
