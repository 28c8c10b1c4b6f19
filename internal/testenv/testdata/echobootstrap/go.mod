module example.com/echobootstrap

go 1.26.6
