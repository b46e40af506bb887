package dev.agentstream.udfs.llm;

import dev.agentstream.udfs.turn.Turn;

/**
 * Hears of each attempt a client makes for a turn (the router: each retry and fallback is one):
 * where it went, and how it ended. Called on the clients' and the router's threads, so it must be
 * quick, thread-safe and never throw.
 */
public interface AttemptListener {

    /** Hears nothing. */
    AttemptListener NONE = (turn, backend, model, number) -> Attempt.NONE;

    /**
     * An attempt starts.
     *
     * @param turn the turn as this attempt sends it
     * @param backend the backend's name
     * @param model the model asked for
     * @param number 1 for the turn's first attempt, 2 for the next, and so on
     * @return what hears how it ends; exactly one of its methods is called, once
     */
    Attempt started(Turn turn, String backend, String model, int number);

    /** One attempt in flight. */
    interface Attempt {

        Attempt NONE =
                new Attempt() {
                    @Override
                    public void succeeded() {}

                    @Override
                    public void failed(String errorClass) {}

                    @Override
                    public void cancelled() {}
                };

        void succeeded();

        /** Failed, as the router classes failures, e.g. {@code rate-limited}. */
        void failed(String errorClass);

        /** Cancelled before it ended: the turn's deadline passed, or another answer came. */
        void cancelled();
    }
}
