package io.advrank.monitor;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Caps the native memory of all the monitor's RocksDB stores together, as Kafka Streams' memory
 * management guide does: one block cache shared by every store, and the stores' memtables charged
 * to that cache through one {@link WriteBufferManager}, so a full memtable is flushed instead of
 * growing.
 *
 * <p>Why: with Kafka Streams' defaults each store has its own 50 MiB block cache and up to three 16
 * MiB memtables. The monitor has 7 stores on 4 partitions, 28 RocksDB instances: up to 2.7 GiB off
 * the Java heap, reached slowly (the memtables filled at about 4 MiB/min in the demo, and are only
 * flushed at 16 MiB each), which the 30-minute soak measured as native memory growing without a
 * level (docs/soak.md). The monitor's state is small (a drift record per catalog item, recent
 * alerts, calibration samples), so a shared {@value #TOTAL_MIB} MiB is plenty: reads come from the
 * operating system's page cache when a block is not in the cache.
 *
 * <p>The cache and the write buffer manager are per process, shared by every store of every monitor
 * in it, and never closed (stores come and go with rebalances).
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
  /** The block cache, memtables included: the bound on the stores' native memory. */
  static final long TOTAL_MIB = 64;

  /** The memtables' share of {@link #TOTAL_MIB}: past it the stores flush. */
  static final long MEMTABLE_MIB = 32;

  /** One memtable's size: a store flushes at this size, not at Streams' default of 16 MiB. */
  static final long WRITE_BUFFER_MIB = 4;

  private static final long MIB = 1024 * 1024;

  // false: a full cache evicts rather than failing reads; -1: the default number of shards.
  private static final Cache CACHE = new LRUCache(TOTAL_MIB * MIB, -1, false, 0.1);
  private static final WriteBufferManager WRITE_BUFFERS =
      new WriteBufferManager(MEMTABLE_MIB * MIB, CACHE);

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(CACHE);
    // Index and filter blocks in the shared cache too, or they grow with the data outside it.
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setTableFormatConfig(table);
    options.setWriteBufferManager(WRITE_BUFFERS);
    options.setWriteBufferSize(WRITE_BUFFER_MIB * MIB);
    options.setMaxWriteBufferNumber(2);
    // No periodic statistics dump into RocksDB's LOG: nobody reads it, and its timer thread is the
    // one that crashed a demo's JVM (SIGSEGV in DBImpl::DumpStats -> GetPropertyInfo) while the
    // process was exiting after SIGTERM.
    options.setStatsDumpPeriodSec(0);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and the write buffer manager are shared by every store: never closed here.
  }
}
