package io.flashsale.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The api role checks the schema against {@link SchemaVersion#REQUIRED}: it must follow the migrations. */
class SchemaVersionTests {

    private static final Pattern MIGRATION = Pattern.compile("V(\\d+)(?:[._]\\d+)*__.*\\.sql");

    @Test
    void requiredVersionIsTheHighestMigration() throws IOException {
        int highest;
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            highest = files.map(f -> MIGRATION.matcher(f.getFileName().toString()))
                    .filter(Matcher::matches).mapToInt(m -> Integer.parseInt(m.group(1))).max().orElse(0);
        }
        assertTrue(highest > 0, "no migrations found");
        assertEquals(highest, SchemaVersion.REQUIRED,
                "a migration was added: raise SchemaVersion.REQUIRED, or api instances serve an old schema");
    }

    @Test
    void versionsCompareByTheirMajorPart() {
        assertEquals(5, SchemaVersion.major("5"));
        assertEquals(12, SchemaVersion.major("12.1"));
        assertEquals(0, SchemaVersion.major("baseline"));
    }

    @Test
    void theBehindMessageSaysWhatToDo() {
        String message = SchemaVersion.behind(3);
        assertTrue(message.contains("version 3") && message.contains("needs " + SchemaVersion.REQUIRED)
                && message.contains("worker"), message);
    }
}
