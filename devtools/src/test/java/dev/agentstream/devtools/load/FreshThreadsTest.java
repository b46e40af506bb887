package dev.agentstream.devtools.load;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FreshThreadsTest {

    private static final List<String> TENANTS = List.of("t0", "t1", "t2");

    @Test
    void shouldMakeTheRequestedFractionOfDuplicates() {
        List<FreshThread> threads = take(new FreshThreads(7, 0.3, TENANTS), 20_000);

        double duplicates = threads.stream().filter(FreshThread::duplicate).count() / 20_000.0;

        // Binomial, n = 20,000, p = 0.3: one standard deviation is 0.0032.
        assertThat(duplicates).isCloseTo(0.3, within(0.015));
    }

    @Test
    void shouldMakeNoDuplicatesAtFractionZero() {
        assertThat(take(new FreshThreads(7, 0, TENANTS), 1_000)).noneMatch(FreshThread::duplicate);
    }

    @Test
    void shouldReplayAnEarlierOriginalOfTheSameTenant() {
        List<FreshThread> threads = take(new FreshThreads(11, 0.5, TENANTS), 2_000);
        Map<Long, FreshThread> byIndex = new HashMap<>();
        threads.forEach(t -> byIndex.put(t.index(), t));

        assertThat(threads.get(0).duplicate()).isFalse();
        for (FreshThread t : threads) {
            FreshThread original = byIndex.get(t.content());
            assertThat(t.content()).isLessThanOrEqualTo(t.index());
            assertThat(original.duplicate()).isFalse();
            assertThat(t.tenant()).isEqualTo(original.tenant());
        }
    }

    @Test
    void shouldGiveTheOriginalsTheTenantsRoundRobin() {
        List<String> tenants =
                take(new FreshThreads(3, 0.4, TENANTS), 300).stream()
                        .filter(t -> !t.duplicate())
                        .map(FreshThread::tenant)
                        .toList();

        for (int i = 0; i < tenants.size(); i++) {
            assertThat(tenants.get(i)).isEqualTo(TENANTS.get(i % 3));
        }
    }

    @Test
    void shouldBeTheSameForTheSameSeedAndDifferForAnother() {
        List<FreshThread> first = take(new FreshThreads(42, 0.25, TENANTS), 500);
        List<FreshThread> again = take(new FreshThreads(42, 0.25, TENANTS), 500);
        List<FreshThread> other = take(new FreshThreads(43, 0.25, TENANTS), 500);

        assertThat(again).isEqualTo(first);
        assertThat(other.get(0).id()).isNotEqualTo(first.get(0).id());
        assertThat(other.stream().map(FreshThread::content).toList())
                .isNotEqualTo(first.stream().map(FreshThread::content).toList());
    }

    @Test
    void shouldNameEveryThreadWithItsOwnUuid() {
        Set<String> ids = new HashSet<>();
        for (FreshThread t : take(new FreshThreads(1, 0.5, TENANTS), 1_000)) {
            assertThat(UUID.fromString(t.id()).toString()).isEqualTo(t.id());
            ids.add(t.id());
        }

        assertThat(ids).hasSize(1_000);
    }

    private static List<FreshThread> take(FreshThreads threads, int n) {
        List<FreshThread> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(threads.next());
        }
        return out;
    }
}
