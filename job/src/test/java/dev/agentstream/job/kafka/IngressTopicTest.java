package dev.agentstream.job.kafka;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.connector.base.DeliveryGuarantee;

import dev.agentstream.job.AgentStreamOptions;
import dev.agentstream.udfs.tenant.TenantSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IngressTopicTest {

    @Test
    void shouldReadTheBusAloneWithoutAnIngress() {
        assertThat(KafkaIo.busTopics(new Configuration())).containsExactly("agentstream.bus");
    }

    @Test
    void shouldReadTheIngressBesidesTheBus() {
        Configuration conf = new Configuration();
        conf.set(AgentStreamOptions.BUS_INGRESS_TOPIC, "agentstream.ingress");

        assertThat(KafkaIo.busTopics(conf))
                .containsExactly("agentstream.bus", "agentstream.ingress");
    }

    @Test
    void shouldRefuseAnIngressThatIsAnotherTopicOfTheJob() {
        Configuration bus = new Configuration();
        bus.set(AgentStreamOptions.BUS_INGRESS_TOPIC, "agentstream.bus");
        Configuration usage = new Configuration();
        usage.set(AgentStreamOptions.BUS_INGRESS_TOPIC, "agentstream.usage");

        assertThatThrownBy(() -> KafkaIo.busTopics(bus))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("is also bus.topic");
        assertThatThrownBy(() -> KafkaIo.busTopics(usage))
                .hasMessageContaining("is also usage.topic");
        Configuration blank = new Configuration();
        blank.set(AgentStreamOptions.BUS_INGRESS_TOPIC, " ");
        assertThatThrownBy(() -> KafkaIo.busTopics(blank)).hasMessageContaining("is no topic name");
        Configuration illegal = new Configuration();
        illegal.set(AgentStreamOptions.BUS_INGRESS_TOPIC, "bad topic!");
        assertThatThrownBy(() -> KafkaIo.busTopics(illegal))
                .hasMessageContaining("bus.ingress-topic is no topic name");
    }

    @Test
    void shouldRefuseAnIngressWithATopicPerTenant() {
        Configuration conf = new Configuration();
        conf.set(AgentStreamOptions.DELIVERY_GUARANTEE, DeliveryGuarantee.AT_LEAST_ONCE);
        conf.set(AgentStreamOptions.TENANT_SOURCE, TenantSource.TOPIC);
        conf.set(AgentStreamOptions.BUS_TOPIC_TEMPLATE, "agentstream.bus.{tenant}");
        conf.set(AgentStreamOptions.BUS_INGRESS_TOPIC, "agentstream.ingress");

        assertThatThrownBy(() -> KafkaIo.from(conf, "agentstream"))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("bus.ingress-topic is not supported with bus.topic-template");
    }
}
