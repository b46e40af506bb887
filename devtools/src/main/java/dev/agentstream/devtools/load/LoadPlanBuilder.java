package dev.agentstream.devtools.load;

import java.time.Duration;

/**
 * Builds a {@link LoadPlan} ({@link LoadPlan#builder()}, {@link LoadPlan#toBuilder()}); every value
 * not set has the default below.
 */
public final class LoadPlanBuilder {
    private String bootstrapServers = "127.0.0.1:9092";
    private String topic = "agentstream.bus";
    private TenantMode tenantMode = TenantMode.DEFAULT;
    private String topicTemplate;
    private TokenSettings token;
    private double rate = 10;
    private long count = 100;
    private Duration duration;
    private int threads = 10;
    private int tenants = 1;
    private int threadLength = 1;
    private int prefill;
    private String prefillTo;
    private String prefillElement;
    private double duplicateFraction;
    private String from = "console";
    private String to;
    private String payloadElement;
    private int payloadBytes = 64;
    private long seed = 1;
    private Duration maxLag = Duration.ofSeconds(1);

    LoadPlanBuilder() {}

    LoadPlanBuilder(LoadPlan p) {
        bootstrapServers = p.bootstrapServers();
        topic = p.topic();
        tenantMode = p.tenantMode();
        topicTemplate = p.topicTemplate();
        token = p.token();
        rate = p.rate();
        count = p.count();
        duration = p.duration();
        threads = p.threads();
        tenants = p.tenants();
        threadLength = p.threadLength();
        prefill = p.prefill();
        prefillTo = p.prefillTo();
        prefillElement = p.prefillElement();
        duplicateFraction = p.duplicateFraction();
        from = p.from();
        to = p.to();
        payloadElement = p.payloadElement();
        payloadBytes = p.payloadBytes();
        seed = p.seed();
        maxLag = p.maxLag();
    }

    public LoadPlanBuilder bootstrapServers(String value) {
        bootstrapServers = value;
        return this;
    }

    public LoadPlanBuilder topic(String value) {
        topic = value;
        return this;
    }

    /** Default mode: no tenant information, one tenant. */
    public LoadPlanBuilder defaultTenant() {
        tenantMode = TenantMode.DEFAULT;
        topicTemplate = null;
        token = null;
        return this;
    }

    /** Topic mode: one topic per tenant, named by the job's {@code bus.topic-template}. */
    public LoadPlanBuilder topicPerTenant(String template) {
        tenantMode = TenantMode.TOPIC;
        topicTemplate = template;
        token = null;
        return this;
    }

    /** Token mode: a signed JWT of its tenant in every envelope's meta. */
    public LoadPlanBuilder tokens(TokenSettings value) {
        tenantMode = TenantMode.TOKEN;
        topicTemplate = null;
        token = value;
        return this;
    }

    public LoadPlanBuilder rate(double value) {
        rate = value;
        return this;
    }

    public LoadPlanBuilder count(long value) {
        count = value;
        return this;
    }

    public LoadPlanBuilder duration(Duration value) {
        duration = value;
        return this;
    }

    public LoadPlanBuilder threads(int value) {
        threads = value;
        return this;
    }

    public LoadPlanBuilder tenants(int value) {
        tenants = value;
        return this;
    }

    public LoadPlanBuilder threadLength(int value) {
        threadLength = value;
        return this;
    }

    /** {@code count} context-only envelopes to {@code listener} on each fresh thread. */
    public LoadPlanBuilder prefill(int value, String listener) {
        prefill = value;
        prefillTo = listener;
        return this;
    }

    public LoadPlanBuilder prefillElement(String value) {
        prefillElement = value;
        return this;
    }

    public LoadPlanBuilder duplicateFraction(double value) {
        duplicateFraction = value;
        return this;
    }

    public LoadPlanBuilder from(String value) {
        from = value;
        return this;
    }

    public LoadPlanBuilder to(String value) {
        to = value;
        return this;
    }

    public LoadPlanBuilder payloadElement(String value) {
        payloadElement = value;
        return this;
    }

    public LoadPlanBuilder payloadBytes(int value) {
        payloadBytes = value;
        return this;
    }

    public LoadPlanBuilder seed(long value) {
        seed = value;
        return this;
    }

    public LoadPlanBuilder maxLag(Duration value) {
        maxLag = value;
        return this;
    }

    public LoadPlan build() {
        return new LoadPlan(
                bootstrapServers,
                topic,
                tenantMode,
                topicTemplate,
                token,
                rate,
                count,
                duration,
                threads,
                tenants,
                threadLength,
                prefill,
                prefillTo,
                prefillElement,
                duplicateFraction,
                from,
                to,
                payloadElement,
                payloadBytes,
                seed,
                maxLag);
    }
}
