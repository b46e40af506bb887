package dev.agentstream.udfs.turn;

import dev.agentstream.udfs.cache.CacheKeys;
import dev.agentstream.udfs.context.ContextSlot;
import dev.agentstream.udfs.organism.Listener;
import dev.agentstream.udfs.organism.Organism;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Builds an agent's prompt: its own prompt and a description of its peers, then the thread's
 * history as chat messages (assistant for the agent's own envelopes, user for everyone else's),
 * windowed to a token budget from the newest back, then the payload that started the turn. Every
 * message carries its tokens: the history's and the input's as counted at append, the system
 * prompt's counted once per agent, so that no later stage tokenizes the prompt again.
 */
public final class TurnBuilder {

    /** Reads a turn's history (the thread's slots but its input), newest first, while accepted. */
    @FunctionalInterface
    public interface History {
        List<ContextSlot> newestFirst(Predicate<ContextSlot> keep) throws IOException;
    }

    private final Organism organism;
    private final int historyTokens;
    private final int maxCompletionTokens;
    private final TokenCounter counter;

    /** Each agent's system prompt and its tokens: the organism never changes in a builder. */
    private final Map<String, ChatMessage> systemPrompts = new HashMap<>();

    public TurnBuilder(
            Organism organism, int historyTokens, int maxCompletionTokens, TokenCounter counter) {
        this.organism = organism;
        this.historyTokens = historyTokens;
        this.maxCompletionTokens = maxCompletionTokens;
        this.counter = counter;
    }

    /**
     * The turn of {@code agent} answering {@code input}, which is already in the context of a
     * thread of {@code tenant}.
     */
    public Turn build(String tenant, Listener agent, ContextSlot input, History history, long now)
            throws IOException {
        List<ChatMessage> messages = new ArrayList<>();
        ChatMessage system =
                systemPrompts.computeIfAbsent(
                        agent.name(),
                        name -> {
                            String prompt = systemPrompt(agent);
                            return new ChatMessage(
                                    ChatMessage.SYSTEM, prompt, counter.count(prompt));
                        });
        // A copy: a turn's messages are its own, whatever a later stage does with them.
        messages.add(new ChatMessage(system.role, system.content, system.tokens));
        messages.addAll(window(agent, history));
        messages.add(new ChatMessage(ChatMessage.USER, input.payloadXml, tokens(input)));

        Turn turn = new Turn();
        // First: the response cache's key starts with it.
        turn.tenant = tenant == null ? "" : tenant;
        turn.agent = agent.name();
        // A turn started by a call or an answer inherits its chain; any other starts one.
        turn.chain = input.chain != null ? input.chain : new String[] {input.from, agent.name()};
        turn.replyTo = turn.chain[turn.chain.length - 2];
        turn.inputRoot = input.payloadRoot;
        turn.inputEnvelopeId = input.envelopeId;
        turn.model = organism.llm().primary().model();
        turn.maxTokens = maxCompletionTokens;
        turn.messages = messages.toArray(new ChatMessage[0]);
        turn.createdAt = now;
        turn.traceparent = input.traceparent == null ? "" : input.traceparent;
        if (agent.caches()) {
            turn.cacheTtlMs = agent.cacheTtl().toMillis();
            turn.cacheKey = CacheKeys.of(turn, organism.llm().backends());
        }
        return turn;
    }

    /** The agent's prompt followed by the peers it may address and how to address them. */
    public String systemPrompt(Listener agent) {
        StringBuilder sb = new StringBuilder(agent.prompt().strip()).append("\n\n");
        sb.append("You are the agent \"")
                .append(agent.name())
                .append("\" of the organism \"")
                .append(organism.name())
                .append("\". Answer with XML payload elements.\n");
        if (agent.peers().isEmpty()) {
            sb.append("You have no peers: your answer goes back to the sender.\n");
            return sb.toString();
        }
        sb.append("Each element goes to the peer that accepts its root tag:\n");
        for (String peerName : agent.peers()) {
            Listener peer = organism.listener(peerName).orElseThrow();
            sb.append("- ")
                    .append(peer.name())
                    .append(": ")
                    .append(sentence(peer.description()))
                    .append(" Accepts <")
                    .append(peer.rootTag())
                    .append(">.\n");
        }
        sb.append("An element no peer accepts, or text alone, goes back to the sender.\n");
        return sb.toString();
    }

    private List<ChatMessage> window(Listener agent, History history) throws IOException {
        int[] used = {0};
        List<ContextSlot> kept =
                history.newestFirst(
                        slot -> {
                            used[0] += tokens(slot) + TokenCounter.PER_MESSAGE_OVERHEAD;
                            return used[0] <= historyTokens;
                        });
        List<ChatMessage> out = new ArrayList<>(kept.size());
        for (ContextSlot slot : kept) {
            String role = agent.name().equals(slot.from) ? ChatMessage.ASSISTANT : ChatMessage.USER;
            out.add(new ChatMessage(role, slot.payloadXml, tokens(slot)));
        }
        Collections.reverse(out);
        return out;
    }

    /** The slot's token count, counted at append; counted now for slots written without one. */
    private int tokens(ContextSlot slot) {
        return slot.tokens > 0 ? slot.tokens : counter.count(slot.payloadXml);
    }

    private static String sentence(String description) {
        String d = description.strip();
        if (d.isEmpty()) {
            return "(no description).";
        }
        return d.endsWith(".") ? d : d + ".";
    }
}
