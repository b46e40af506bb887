package dev.agentstream.udfs.envelope;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class XmlFactoriesTest {

    private static final String MARKER = "MARKER-FROM-DISK";

    private static final String NESTED_ENTITIES =
            "<!DOCTYPE a [<!ENTITY e0 \"ha\">"
                    + "<!ENTITY e1 \"&e0;&e0;&e0;&e0;&e0;&e0;&e0;&e0;\">"
                    + "<!ENTITY e2 \"&e1;&e1;&e1;&e1;&e1;&e1;&e1;&e1;\">]>"
                    + "<a>&e2;</a>";

    private final XMLInputFactory factory = XmlFactories.newInputFactory(EnvelopeLimits.defaults());

    @TempDir Path dir;

    @Test
    void shouldReportDoctypeAsDtdEvent() throws Exception {
        List<Integer> events = events(NESTED_ENTITIES).kinds;

        assertThat(events).contains(XMLStreamConstants.DTD);
    }

    @Test
    void shouldNeverExpandInternalEntities() throws Exception {
        Events events = events(NESTED_ENTITIES);

        assertThat(events.kinds).contains(XMLStreamConstants.ENTITY_REFERENCE);
        assertThat(events.text).doesNotContain("ha");
    }

    @Test
    void shouldNeverReadExternalEntity() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), MARKER);
        String xml = "<!DOCTYPE a [<!ENTITY xxe SYSTEM \"" + secret.toUri() + "\">]><a>&xxe;</a>";

        assertThat(events(xml).text).doesNotContain(MARKER);
    }

    @Test
    void shouldNeverLoadExternalDtd() throws Exception {
        Path dtd = Files.writeString(dir.resolve("a.dtd"), "<!ENTITY e \"" + MARKER + "\">");
        String xml = "<!DOCTYPE a SYSTEM \"" + dtd.toUri() + "\"><a>&e;</a>";

        assertThat(events(xml).text).doesNotContain(MARKER);
    }

    @Test
    void shouldCoalesceTextAndCdata() throws Exception {
        Events events = events("<a>one<![CDATA[<two>]]>three</a>");

        assertThat(events.kinds)
                .containsExactly(
                        XMLStreamConstants.START_ELEMENT,
                        XMLStreamConstants.CHARACTERS,
                        XMLStreamConstants.END_ELEMENT,
                        XMLStreamConstants.END_DOCUMENT);
        assertThat(events.text.toString()).isEqualTo("one<two>three");
    }

    @Test
    void shouldStopAtWoodstoxBackstopAsLimitViolation() {
        XMLInputFactory strict =
                XmlFactories.newInputFactory(EnvelopeLimits.defaults().withMaxDepth(2));

        XMLStreamException e =
                catchThrowableOfType(
                        XMLStreamException.class,
                        () -> events("<a><b><c><d/></c></b></a>", strict));

        assertThat(XmlLimitGuard.isLimitViolation(e)).isTrue();
    }

    @Test
    void shouldNotTakeWellFormednessErrorForLimitViolation() {
        XMLStreamException e =
                catchThrowableOfType(XMLStreamException.class, () -> events("<a><b></a>"));

        assertThat(XmlLimitGuard.isLimitViolation(e)).isFalse();
    }

    private Events events(String xml) throws XMLStreamException {
        return events(xml, factory);
    }

    private static Events events(String xml, XMLInputFactory factory) throws XMLStreamException {
        XMLStreamReader reader = factory.createXMLStreamReader(new StringReader(xml));
        Events events = new Events();
        while (reader.hasNext()) {
            int kind = reader.next();
            events.kinds.add(kind);
            if (kind == XMLStreamConstants.CHARACTERS || kind == XMLStreamConstants.CDATA) {
                events.text.append(reader.getText());
            }
        }
        return events;
    }

    /** The kinds of event a reader produced and the text it reported. */
    private static final class Events {
        final List<Integer> kinds = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
    }
}
