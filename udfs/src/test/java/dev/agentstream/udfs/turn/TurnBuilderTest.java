package dev.agentstream.udfs.turn;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.context.ContextSlot;
import dev.agentstream.udfs.organism.Listener;
import dev.agentstream.udfs.organism.Organism;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

class TurnBuilderTest {

    private static final Organism HELLO = Fixtures.helloWorld();
    private static final Listener GREETER = HELLO.listener("greeter").orElseThrow();
    private static final TokenCounter COUNTER = new TokenCounter();

    @Test
    void shouldDescribeEachPeerWithTheRootTagItAccepts() {
        String prompt = new TurnBuilder(HELLO, 1000, 100, COUNTER).systemPrompt(GREETER);

        assertThat(prompt).startsWith("Be friendly.");
        assertThat(prompt).contains("\"greeter\"").contains("\"hello-world\"");
        assertThat(prompt).contains("- shouter: Shouts in capitals. Accepts <GreetingResponse>.");
        assertThat(prompt).doesNotContain("response-handler");
    }

    @Test
    void shouldWindowHistoryToTheTokenBudgetFromTheNewestBack() throws Exception {
        List<ContextSlot> thread = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            thread.add(slot(i, "console", "<Note><text>message number " + i + "</text></Note>"));
        }
        ContextSlot input = slot(50, "console", "<Greeting><name>Ada</name></Greeting>");
        int perSlot = COUNTER.count(thread.get(10).payloadXml) + TokenCounter.PER_MESSAGE_OVERHEAD;
        int budget = perSlot * 5 + perSlot / 2;

        Turn turn =
                new TurnBuilder(HELLO, budget, 100, COUNTER)
                        .build("", GREETER, input, history(thread), 7L);

        // system + 5 newest slots that fit + the input
        assertThat(turn.messages).hasSize(7);
        assertThat(turn.messages[1].content).contains("message number 45");
        assertThat(turn.messages[5].content).contains("message number 49");
        assertThat(turn.messages[6].content).isEqualTo(input.payloadXml);
        assertThat(turn.maxTokens).isEqualTo(100);
        assertThat(turn.createdAt).isEqualTo(7L);
        assertThat(turn.model).isEqualTo(HELLO.llm().primary().model());
    }

    @Test
    void shouldReadNoMoreSlotsThanTheWindowNeeds() throws Exception {
        List<ContextSlot> thread = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            thread.add(slot(i, "console", "<Note><text>" + i + "</text></Note>"));
        }
        int[] reads = {0};
        TurnBuilder.History counting =
                keep -> {
                    List<ContextSlot> out = new ArrayList<>();
                    for (int s = thread.size() - 1; s >= 0; s--) {
                        reads[0]++;
                        if (!keep.test(thread.get(s))) {
                            break;
                        }
                        out.add(thread.get(s));
                    }
                    return out;
                };

        new TurnBuilder(HELLO, 200, 100, COUNTER)
                .build("", GREETER, slot(10_000, "console", "<Greeting/>"), counting, 0L);

        assertThat(reads[0]).isLessThan(50);
    }

    @Test
    void shouldCarryEachMessagesTokensSoThatNoStageCountsThePromptAgain() throws Exception {
        List<ContextSlot> thread = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ContextSlot s =
                    slot(i, "console", "<Note><text>message number " + i + "</text></Note>");
            s.tokens = COUNTER.count(s.payloadXml);
            thread.add(s);
        }
        // A count taken at append is believed: the builder never tokenizes the slot again.
        thread.get(1).tokens = 1_000;
        ContextSlot input = slot(3, "console", "<Greeting><name>Ada</name></Greeting>");
        input.tokens = COUNTER.count(input.payloadXml);

        Turn turn =
                new TurnBuilder(HELLO, 10_000, 100, COUNTER)
                        .build("", GREETER, input, history(thread), 0L);

        assertThat(turn.messages).hasSize(5);
        assertThat(turn.messages[0].tokens).isEqualTo(COUNTER.count(turn.messages[0].content));
        assertThat(turn.messages[2].tokens).isEqualTo(1_000);
        for (int i : new int[] {1, 3, 4}) {
            assertThat(turn.messages[i].tokens)
                    .as("message %s", i)
                    .isPositive()
                    .isEqualTo(COUNTER.count(turn.messages[i].content));
        }
        long expected = TokenCounter.PER_PROMPT_OVERHEAD;
        for (ChatMessage m : turn.messages) {
            expected += TokenCounter.PER_MESSAGE_OVERHEAD + m.tokens;
        }
        assertThat(COUNTER.promptTokens(turn.messages)).isEqualTo(expected);
    }

    @Test
    void shouldCountSlotsAppendedWithoutACountAndGiveEachTurnItsOwnSystemMessage()
            throws Exception {
        ContextSlot old = slot(0, "console", "<Note><text>written before counts</text></Note>");
        ContextSlot input = slot(1, "console", "<Greeting><name>Ada</name></Greeting>");
        TurnBuilder builder = new TurnBuilder(HELLO, 10_000, 100, COUNTER);

        Turn first = builder.build("", GREETER, input, history(List.of(old)), 0L);
        Turn second = builder.build("", GREETER, input, history(List.of(old)), 1L);

        assertThat(first.messages[1].tokens).isEqualTo(COUNTER.count(old.payloadXml));
        assertThat(first.messages[2].tokens).isEqualTo(COUNTER.count(input.payloadXml));
        assertThat(second.messages[0]).isEqualTo(first.messages[0]).isNotSameAs(first.messages[0]);
        assertThat(second.messages[0].tokens).isEqualTo(first.messages[0].tokens).isPositive();
    }

    private static ContextSlot slot(long seq, String from, String xml) {
        return new ContextSlot(seq, from, null, "Note", xml, "e" + seq, 0L);
    }

    private static TurnBuilder.History history(List<ContextSlot> slots) {
        return (Predicate<ContextSlot> keep) -> {
            List<ContextSlot> out = new ArrayList<>();
            for (int s = slots.size() - 1; s >= 0; s--) {
                ContextSlot slot = slots.get(s);
                if (!keep.test(slot)) {
                    break;
                }
                out.add(slot);
            }
            return out;
        };
    }
}
