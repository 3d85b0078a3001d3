module tenet.local/tools/images/pause

go 1.25.0
