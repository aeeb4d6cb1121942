# The embedded MNIST-5k for unconditional generators: mnist_captions.py's 4,000 train digits
# (captions and labels unused; the 1,000 held out are DigitSampleMetric's reference and
# floor). Validation = 200 fixed noise seeds, EMA weights, judged by FD / KID / precision /
# recall in the digit classifier's features, class balance and pixel statistics.
_base_ = ["mnist_captions.py"]
val_dataloader = dict(dataset=dict(_delete_=True, type="NoiseSeedDataset", num_samples=200))
