package dev.agentstream.devtools.state;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;

/** Turns the stored values and map keys of one {@link StateSpec} into bytes and back. */
final class StateCodec {

    private final TypeSerializer<Object> userKey;
    private final TypeSerializer<Object> value;

    StateCodec(StateSpec spec) {
        this.userKey = spec.map() ? spec.userKeySerializer() : null;
        this.value = spec.storedValueSerializer();
    }

    byte[] encodeKey(Object key) throws IOException {
        return encode(userKey, key);
    }

    byte[] encodeValue(Object stored) throws IOException {
        return encode(value, stored);
    }

    Object decodeKey(byte[] bytes) throws IOException {
        return userKey.deserialize(new DataInputDeserializer(bytes));
    }

    Object decodeValue(byte[] bytes) throws IOException {
        return value.deserialize(new DataInputDeserializer(bytes));
    }

    static byte[] encode(TypeSerializer<Object> serializer, Object value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        return out.getCopyOfBuffer();
    }
}
