/**
 * Image datasets at a model's input: IDX files (Fashion-MNIST, MNIST) and folders of photos
 * (PNG/JPEG, one sub-folder per class, fitted by resize and centre crop), read into an {@link
 * io.advrank.core.data.ImageDataset} of float pixels in [0,1]. {@link
 * io.advrank.core.data.PhotoFiles} is the one decode path, with a size cap before decoding.
 */
package io.advrank.core.data;
