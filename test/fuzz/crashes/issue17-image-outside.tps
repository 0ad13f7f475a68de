LM=1
1 2
IMAGE=../../../../etc/passwd
