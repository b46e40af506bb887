package dev.agentstream.devtools.load;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InputLedgerTest {

    @Test
    void shouldFindInputsOfTopicsWithDashesInTheirNames() {
        InputLedger ledger = new InputLedger();
        for (long offset = 0; offset < 1_000; offset += 3) {
            ledger.remember("bus-a-1", 2, offset, 10_000 + offset);
        }

        assertThat(ledger.answer("bus-a-1-2-300"))
                .isEqualTo(new InputLedger.Lookup(true, 10_300, 0));
        assertThat(ledger.answer("bus-a-1-2-300").earlierAnswers()).isEqualTo(1);
        assertThat(ledger.answer("bus-a-1-2-301").known()).isFalse();
        assertThat(ledger.answer("bus-a-1-3-300").known()).isFalse();
        assertThat(ledger.answer("bus-a-2-300").known()).isFalse();
    }

    @Test
    void shouldRefuseIdsThatAreNoCoordinates() {
        InputLedger ledger = new InputLedger();
        ledger.remember("bus", 0, 1, 5);

        assertThat(ledger.answer("bus-0-x").known()).isFalse();
        assertThat(ledger.answer("1").known()).isFalse();
        assertThat(ledger.answer("-0-1").known()).isFalse();
        assertThat(ledger.answer("").known()).isFalse();
        assertThat(ledger.answer("bus-0-1").known()).isTrue();
    }

    @Test
    void shouldKeepTheFirstOfARepeatedOffset() {
        InputLedger ledger = new InputLedger();
        ledger.remember("bus", 0, 4, 5);
        ledger.remember("bus", 0, 4, 9);
        ledger.remember("bus", 0, 2, 9);

        assertThat(ledger.answer("bus-0-4").sentAtMicros()).isEqualTo(5);
        assertThat(ledger.answer("bus-0-2").known()).isFalse();
    }
}
