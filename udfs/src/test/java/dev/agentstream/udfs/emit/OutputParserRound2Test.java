package dev.agentstream.udfs.emit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Second attack on the output parser: the attempt budget's blind spot. */
class OutputParserRound2Test {

    /**
     * The budget charges failed element attempts only. Each unclosed {@code <?xml } makes {@code
     * declarationEnd} scan to the end of the answer for {@code ?>}, uncharged, so an answer of
     * repeated declarations costs quadratic time on the emit task thread.
     */
    @Test
    void shouldParseRepeatedUnclosedXmlDeclarationsInLinearTime() {
        String small = "<?xml ".repeat(5_000);
        String large = "<?xml ".repeat(80_000); // 480 000 characters

        OutputParser parser = new OutputParser();
        parser.parse(small);
        long start = System.nanoTime();
        ParsedOutput out = parser.parse(large);
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(out.elements()).isEmpty();
        assertThat(millis).as("ms to parse 480 000 characters of prose").isLessThan(500);
    }
}
