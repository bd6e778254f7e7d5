package io.polygate.sdk.bundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds real zip files for tests, including malformed ones made by patching header bytes. */
final class TestZips {
    private final List<Object[]> entries = new ArrayList<>();

    static TestZips zip() { return new TestZips(); }

    TestZips file(String name, String content) { return file(name, content.getBytes(StandardCharsets.UTF_8)); }

    TestZips file(String name, byte[] content) {
        entries.add(new Object[] {name, content, ZipEntry.DEFLATED});
        return this;
    }

    TestZips stored(String name, String content) {
        entries.add(new Object[] {name, content.getBytes(StandardCharsets.UTF_8), ZipEntry.STORED});
        return this;
    }

    TestZips dir(String name) {
        entries.add(new Object[] {name, null, ZipEntry.STORED});
        return this;
    }

    byte[] bytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Object[] e : entries) {
                ZipEntry entry = new ZipEntry((String) e[0]);
                byte[] data = (byte[]) e[1];
                if ((int) e[2] == ZipEntry.STORED) {
                    byte[] d = data == null ? new byte[0] : data;
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(d);
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(d.length);
                    entry.setCompressedSize(d.length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                if (data != null) zip.write(data);
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }

    /** Offset of the central directory header of the entry with this name. */
    static int centralHeader(byte[] zip, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 46 <= zip.length; i++) {
            if (b.getInt(i) == 0x02014b50 && (b.getShort(i + 28) & 0xFFFF) == n.length
                    && java.util.Arrays.equals(zip, i + 46, i + 46 + n.length, n, 0, n.length)) return i;
        }
        throw new IllegalArgumentException("no central header for " + name);
    }

    /** Offset of the local header of the entry with this name. */
    static int localHeader(byte[] zip, String name) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        return b.getInt(centralHeader(zip, name) + 42);
    }

    /** Marks an entry as made on Unix with this st_mode (e.g. 0120777 for a symlink). */
    static void setUnixMode(byte[] zip, String name, int mode) {
        int cen = centralHeader(zip, name);
        zip[cen + 5] = 3;
        ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putInt(cen + 38, mode << 16);
    }

    /** Makes both headers claim a different uncompressed size (the data is unchanged). */
    static void setDeclaredSize(byte[] zip, String name, int size) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(centralHeader(zip, name) + 24, size);
        b.putInt(localHeader(zip, name) + 22, size);
    }

    /** Renames an entry in both headers to a name of the same length. */
    static void rename(byte[] zip, String from, String to) {
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        int cen = centralHeader(zip, from);
        int loc = localHeader(zip, from);
        System.arraycopy(t, 0, zip, cen + 46, t.length);
        System.arraycopy(t, 0, zip, loc + 30, t.length);
    }
}
