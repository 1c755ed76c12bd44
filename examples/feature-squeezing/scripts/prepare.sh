#!/usr/bin/env bash
# Unpack the MNIST archives into training/ and testing/ folders under $1.
set -euo pipefail
data_dir="$1"
for subset in training testing; do
  if [ ! -d "${data_dir}/${subset}" ]; then
    tar -xzf "${data_dir}/${subset}.tar.gz" -C "${data_dir}"
  fi
done
