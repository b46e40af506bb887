package dev.agentstream.devtools.load;

import dev.agentstream.devtools.load.LoadSequence.Kind;
import dev.agentstream.devtools.load.LoadSequence.Step;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class LoadSequenceTest {

    @Test
    void shouldPrefillEachFreshThreadBeforeItsFirstTurn() {
        List<Step> steps = take(sequence(2, 3, 2), 12);

        assertThat(steps.stream().map(s -> label(s)).toList())
                .containsExactly(
                        "0:C0", "0:C1", "0:T0", "1:C0", "1:C1", "1:T0", "0:T1", "1:T1", "0:T2",
                        "1:T2", "2:C0", "2:C1");
    }

    @Test
    void shouldGiveEveryThreadItsLengthThenReplaceIt() {
        List<Step> steps = take(sequence(5, 4, 3), 5_000);
        Map<Long, List<Step>> byThread = new LinkedHashMap<>();
        steps.forEach(
                s -> byThread.computeIfAbsent(s.thread().index(), k -> new ArrayList<>()).add(s));

        List<List<Step>> finished = new ArrayList<>(byThread.values());
        finished = finished.subList(0, finished.size() - 5); // the last five may be unfinished
        for (List<Step> thread : finished) {
            assertThat(thread.stream().map(Step::kind).toList())
                    .containsExactly(
                            Kind.CONTEXT,
                            Kind.CONTEXT,
                            Kind.CONTEXT,
                            Kind.TURN,
                            Kind.TURN,
                            Kind.TURN,
                            Kind.TURN);
            assertThat(thread.stream().map(Step::position).toList())
                    .containsExactly(0, 1, 2, 0, 1, 2, 3);
        }
    }

    @Test
    void shouldKeepTheNumberOfActiveThreads() {
        LoadSequence sequence = sequence(7, 3, 0);
        Map<Long, Integer> turns = new HashMap<>();
        Set<Long> active = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            Step step = sequence.next();
            active.add(step.thread().index());
            int given = turns.merge(step.thread().index(), 1, Integer::sum);
            if (given == 3) {
                active.remove(step.thread().index());
            }
            assertThat(active.size()).isLessThanOrEqualTo(7);
        }

        assertThat(turns.values()).allMatch(n -> n <= 3);
    }

    @Test
    void shouldSendTurnsAloneWithoutPrefill() {
        assertThat(take(sequence(3, 1, 0), 100)).allMatch(s -> s.kind() == Kind.TURN);
    }

    private static LoadSequence sequence(int threads, int length, int prefill) {
        return new LoadSequence(new FreshThreads(5, 0, List.of("t0")), threads, length, prefill);
    }

    private static String label(Step s) {
        return s.thread().index() + ":" + (s.kind() == Kind.TURN ? "T" : "C") + s.position();
    }

    private static List<Step> take(LoadSequence sequence, int n) {
        List<Step> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(sequence.next());
        }
        return out;
    }
}
