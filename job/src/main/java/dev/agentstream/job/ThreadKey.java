package dev.agentstream.job;

import org.apache.flink.api.java.functions.KeySelector;

import dev.agentstream.udfs.envelope.Envelope;

/** Keys envelopes by their thread UUID. */
final class ThreadKey implements KeySelector<Envelope, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(Envelope envelope) {
        return envelope.thread;
    }
}
