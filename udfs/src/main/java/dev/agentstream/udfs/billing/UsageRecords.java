package dev.agentstream.udfs.billing;

import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.organism.Backend;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.turn.Turn;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * Builds the usage record of a turn: its tokens, who pays, and its cost from the price table.
 * Nothing is guessed: a model the table does not list gets no cost, and the caller hears of it.
 */
public final class UsageRecords {

    /** Told of every record that used tokens of a model without a price. */
    public interface Unpriced {
        void unpriced(UsageRecord record);
    }

    private final Organism organism;
    private final UsageSettings settings;
    private final PriceTable prices;
    private final Unpriced unpriced;

    public UsageRecords(
            Organism organism, UsageSettings settings, PriceTable prices, Unpriced unpriced) {
        this.organism = organism;
        this.settings = settings;
        this.prices = prices;
        this.unpriced = unpriced;
    }

    public UsageRecord of(TurnResult result) {
        Turn turn = result.turn;
        UsageRecord u = new UsageRecord();
        u.usageId = turn.inputEnvelopeId + "/" + turn.agent;
        u.tenant = settings.tenantOf(turn.tenant);
        u.thread = turn.thread;
        u.agent = turn.agent;
        u.inputEnvelopeId = turn.inputEnvelopeId;
        u.requestModel = turn.model;
        u.responseModel = result.responseModel;
        u.responseId = result.responseId;
        u.providerName = provider(turn.model, result.responseModel);
        u.finishReasons =
                result.finishReason == null || result.finishReason.isEmpty()
                        ? new String[0]
                        : new String[] {result.finishReason};
        u.inputTokens = result.promptTokens;
        u.outputTokens = result.completionTokens;
        // Held at what an int holds: a provider's absurd count must never wrap into a credit.
        u.totalTokens =
                (int)
                        Math.min(
                                Integer.MAX_VALUE,
                                (long) result.promptTokens + result.completionTokens);
        u.cacheReadInputTokens = result.cacheReadTokens;
        u.cacheCreationInputTokens = result.cacheWriteTokens;
        u.cacheHit = result.cacheHit;
        u.attempts = result.isRejected() || result.cacheHit ? 0 : result.attempts;
        u.status = result.status;
        u.latencyMs = result.latencyMs;
        u.resent = result.resent;
        u.timestamp = turn.sentAt();
        price(u);
        return u;
    }

    /**
     * Prices the record by its response model, or its request model when no provider answered. A
     * record without tokens (a cache hit, a turn that was never called) costs 0 whatever the model.
     */
    private void price(UsageRecord u) {
        u.priceVersion = prices.version();
        u.costCurrency = prices.currency();
        if (u.cacheHit || u.totalTokens == 0) {
            u.cost = "0";
            return;
        }
        String model =
                u.responseModel == null || u.responseModel.isEmpty()
                        ? u.requestModel
                        : u.responseModel;
        Optional<ModelPrice> price = prices.price(model);
        if (price.isEmpty()) {
            u.cost = null;
            unpriced.unpriced(u);
            return;
        }
        BigDecimal cost =
                price.get()
                        .cost(
                                u.inputTokens,
                                u.outputTokens,
                                u.cacheReadInputTokens,
                                u.cacheCreationInputTokens);
        u.cost = plain(cost);
    }

    /** A decimal as a plain string without trailing zeros: {@code 0.0001275}, {@code 0}. */
    public static String plain(BigDecimal value) {
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }

    /**
     * The provider of the backend that answered: the one serving the response model (a dated
     * snapshot counts as its model), else the one serving the request model.
     */
    private String provider(String requestModel, String responseModel) {
        Backend best = null;
        if (responseModel != null && !responseModel.isEmpty()) {
            for (Backend b : organism.llm().backends()) {
                if (b.model() != null
                        && responseModel.startsWith(b.model())
                        && (best == null || b.model().length() > best.model().length())) {
                    best = b;
                }
            }
        }
        if (best == null) {
            for (Backend b : organism.llm().backends()) {
                if (b.model() != null && b.model().equals(requestModel)) {
                    best = b;
                    break;
                }
            }
        }
        return best == null ? "" : best.provider();
    }
}
