module tenet.dev/danm

go 1.21
