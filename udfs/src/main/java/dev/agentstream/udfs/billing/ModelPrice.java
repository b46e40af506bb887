package dev.agentstream.udfs.billing;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * What one model costs per million tokens, by kind of token.
 *
 * @param input input tokens neither read from nor written to the prompt cache
 * @param output output tokens
 * @param cacheRead input tokens read from the provider's prompt cache
 * @param cacheWrite input tokens written to the provider's prompt cache
 */
public record ModelPrice(
        BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite)
        implements Serializable {

    /**
     * The exact cost of one call, in the table's currency. {@code inputTokens} includes the cache
     * reads and writes, as providers report it.
     */
    public BigDecimal cost(int inputTokens, int outputTokens, int cacheRead, int cacheWrite) {
        long plainInput = Math.max(0, (long) inputTokens - cacheRead - cacheWrite);
        BigDecimal perMillion =
                input.multiply(BigDecimal.valueOf(plainInput))
                        .add(output.multiply(BigDecimal.valueOf(outputTokens)))
                        .add(this.cacheRead.multiply(BigDecimal.valueOf(cacheRead)))
                        .add(this.cacheWrite.multiply(BigDecimal.valueOf(cacheWrite)));
        return perMillion.movePointLeft(6);
    }
}
