package io.polygate.sdk.bundle;

import io.polygate.sdk.bundle.ZipDirectory.Entry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** The data of one zip entry, stored or deflated, written out with its sizes and CRC checked. Stateless. */
final class ZipEntryData {
    private static final int LOC_SIG = 0x04034b50;

    private ZipEntryData() {}

    /**
     * Writes one file entry to {@code target} (which must not exist), checking its local header,
     * counting inflated bytes against the limits ({@code total[0]}: all files so far) and its CRC.
     */
    static void write(String bundle, FileChannel ch, Entry e, Path target, BundleLimits limits, long[] total)
            throws IOException, BundleException {
        ByteBuffer loc = ZipDirectory.read(ch, e.localOffset(), ZipDirectory.LOC_LEN);
        if (loc.limit() < ZipDirectory.LOC_LEN || loc.getInt(0) != LOC_SIG) throw BundleException.corrupt(bundle, e.rawName(), "no local header at its offset");
        int nameLen = ZipDirectory.u16(loc, 26), extraLen = ZipDirectory.u16(loc, 28);
        // a name of another length is another name; comparing first also keeps a length past the end of the file unread
        ByteBuffer localName = nameLen == e.rawNameBytes().length ? ZipDirectory.read(ch, e.localOffset() + ZipDirectory.LOC_LEN, nameLen) : null;
        if (localName == null || !localName.equals(ByteBuffer.wrap(e.rawNameBytes())))
            throw BundleException.corrupt(bundle, e.rawName(), "local header names a different file");
        long dataStart = e.localOffset() + ZipDirectory.LOC_LEN + nameLen + extraLen;
        if (dataStart + e.compressedSize() > e.regionEnd())
            throw BundleException.corrupt(bundle, e.rawName(), "its data overlaps another entry or the central directory");

        CRC32 crc = new CRC32();
        long written = 0;
        byte[] out = new byte[64 * 1024];
        try (OutputStream os = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long pos = dataStart, end = dataStart + e.compressedSize();
            if (e.method() == 0) {
                while (pos < end) {
                    int n = (int) Math.min(out.length, end - pos);
                    ByteBuffer b = ZipDirectory.read(ch, pos, n);
                    if (b.limit() < n) throw BundleException.corrupt(bundle, e.rawName(), "data is truncated");
                    b.get(0, out, 0, n);
                    pos += n;
                    written = count(bundle, e, n, written, total, limits);
                    crc.update(out, 0, n);
                    os.write(out, 0, n);
                }
            } else {
                Inflater inflater = new Inflater(true);
                try {
                    boolean padded = false;
                    while (!inflater.finished()) {
                        if (inflater.needsInput()) {
                            if (pos < end) {
                                int n = (int) Math.min(out.length, end - pos);
                                ByteBuffer b = ZipDirectory.read(ch, pos, n);
                                pos += n;
                                inflater.setInput(b);
                            } else if (!padded) {
                                // raw inflate may want one byte past the stream to finish (see Inflater(boolean))
                                inflater.setInput(new byte[1]);
                                padded = true;
                            } else {
                                throw BundleException.corrupt(bundle, e.rawName(), "deflate data is truncated");
                            }
                        }
                        int n;
                        try {
                            n = inflater.inflate(out);
                        } catch (DataFormatException ex) {
                            throw BundleException.corrupt(bundle, e.rawName(), "bad deflate data: " + ex.getMessage());
                        }
                        if (n == 0 && inflater.needsDictionary()) throw BundleException.corrupt(bundle, e.rawName(), "deflate data needs a dictionary");
                        if (n > 0) {
                            written = count(bundle, e, n, written, total, limits);
                            crc.update(out, 0, n);
                            os.write(out, 0, n);
                        }
                    }
                } finally {
                    inflater.end();
                }
            }
        }
        if (written != e.size())
            throw BundleException.corrupt(bundle, e.rawName(), "header says " + e.size() + " bytes, data holds " + written);
        if (crc.getValue() != e.crc()) throw BundleException.corrupt(bundle, e.rawName(), "CRC mismatch");
    }

    private static long count(String bundle, Entry e, int n, long written, long[] total, BundleLimits limits) throws BundleException {
        written += n;
        total[0] += n;
        if (written > limits.maxFileBytes()) throw BundleException.fileTooLarge(bundle, e.rawName(), limits.maxFileBytes());
        if (total[0] > limits.maxTotalBytes()) throw BundleException.totalTooLarge(bundle, e.rawName(), limits.maxTotalBytes());
        return written;
    }
}
