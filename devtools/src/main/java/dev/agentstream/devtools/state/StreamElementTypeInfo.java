package dev.agentstream.devtools.state;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamElement;
import org.apache.flink.streaming.runtime.streamrecord.StreamElementSerializer;

import java.util.Objects;

/**
 * Type information of the stream elements async I/O keeps in its operator state, so that the tool
 * reads them with the serializer the job wrote them with instead of a generic one.
 */
final class StreamElementTypeInfo<T> extends TypeInformation<StreamElement> {

    private static final long serialVersionUID = 1L;

    private final TypeInformation<T> value;

    StreamElementTypeInfo(TypeInformation<T> value) {
        this.value = value;
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<StreamElement> getTypeClass() {
        return StreamElement.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<StreamElement> createSerializer(SerializerConfig config) {
        return new StreamElementSerializer<>(value.createSerializer(config));
    }

    @Override
    public String toString() {
        return "StreamElement<" + value + ">";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StreamElementTypeInfo<?> that && value.equals(that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(StreamElementTypeInfo.class, value);
    }

    @Override
    public boolean canEqual(Object other) {
        return other instanceof StreamElementTypeInfo;
    }
}
