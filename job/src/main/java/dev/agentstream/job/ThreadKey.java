package dev.agentstream.job;

import org.apache.flink.api.java.functions.KeySelector;

import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.tenant.TenantNames;

/** Keys envelopes by (tenant, thread): {@code tenant/thread-uuid}. */
final class ThreadKey implements KeySelector<Envelope, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(Envelope envelope) {
        return TenantNames.key(envelope.tenant, envelope.thread);
    }
}
