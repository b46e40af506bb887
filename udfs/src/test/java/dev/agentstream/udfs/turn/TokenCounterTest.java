package dev.agentstream.udfs.turn;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokenCounterTest {

    private static final TokenCounter COUNTER = new TokenCounter();
    private static final String TEXT = "<Greeting><name>Ada Lovelace</name></Greeting>";

    @Test
    void shouldTakeAMessagesCarriedCountInsteadOfTokenizingItsContent() {
        ChatMessage counted = new ChatMessage(ChatMessage.USER, TEXT, 1_000);

        assertThat(COUNTER.count(counted)).isEqualTo(TokenCounter.PER_MESSAGE_OVERHEAD + 1_000);
    }

    @Test
    void shouldTokenizeAMessageThatCarriesNoCount() {
        ChatMessage restored = new ChatMessage(ChatMessage.USER, TEXT);

        assertThat(COUNTER.count(TEXT)).isPositive();
        assertThat(COUNTER.count(restored))
                .isEqualTo(TokenCounter.PER_MESSAGE_OVERHEAD + COUNTER.count(TEXT));
        assertThat(COUNTER.count(new ChatMessage(ChatMessage.USER, "")))
                .isEqualTo(TokenCounter.PER_MESSAGE_OVERHEAD);
    }

    @Test
    void shouldKeepTheCountOutOfEquality() {
        assertThat(new ChatMessage(ChatMessage.USER, TEXT, 12))
                .isEqualTo(new ChatMessage(ChatMessage.USER, TEXT))
                .hasSameHashCodeAs(new ChatMessage(ChatMessage.USER, TEXT));
    }

    @Test
    void shouldStayAFlinkPojoThatKeepsItsCount() throws Exception {
        TypeInformation<ChatMessage> type = TypeInformation.of(ChatMessage.class);
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        TypeSerializer<ChatMessage> serializer = type.createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(64);

        serializer.serialize(new ChatMessage(ChatMessage.SYSTEM, TEXT, 9), out);
        ChatMessage back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(back.role).isEqualTo(ChatMessage.SYSTEM);
        assertThat(back.content).isEqualTo(TEXT);
        assertThat(back.tokens).isEqualTo(9);
    }
}
